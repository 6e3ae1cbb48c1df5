import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseModelMap } from '../../engine/llm/model-map.ts';
import { createOpenAiProvider, type OpenAiProviderOptions } from '../../engine/llm/openai.ts';
import { LlmError } from '../../engine/llm/types.ts';
import type { Logger } from '../../engine/log.ts';
import { type FakeOpenAiServer, startOpenAiServer } from '../fakes/openai-server.ts';

const KEY = 'sk-test-9f8e7d6c5b4a39281706';

describe('OpenAI-compatible provider against an SSE test server', () => {
  let server: FakeOpenAiServer;
  const logged: string[] = [];
  const log: Logger = {
    debug: (m, f) => void logged.push(m + JSON.stringify(f ?? {})),
    info: (m, f) => void logged.push(m + JSON.stringify(f ?? {})),
    warn: (m, f) => void logged.push(m + JSON.stringify(f ?? {})),
    error: (m, f) => void logged.push(m + JSON.stringify(f ?? {})),
    child: () => log,
  };
  const sleeps: number[] = [];
  const provider = (extra: Partial<OpenAiProviderOptions> = {}) =>
    createOpenAiProvider({
      baseUrl: server.url,
      apiKey: KEY,
      modelMap: 'qwen2.5:14b=gpt-4o-mini,*=gpt-4.1-nano',
      timeoutMs: 5_000,
      log,
      retry: { sleep: async (ms) => void sleeps.push(ms) },
      ...extra,
    });

  beforeAll(async () => {
    server = await startOpenAiServer({ apiKey: KEY, models: ['gpt-4o-mini', 'gpt-4.1-nano'] });
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.setResponder((req) => `answer from ${req.model}`);
    server.requests.length = 0;
    sleeps.length = 0;
  });

  it('streams text, maps the model, reports usage from the final chunk and sends the key', async () => {
    server.setResponder(() => ({
      text: 'Ship the multisig first, then the rest.',
      promptTokens: 87,
      completionTokens: 9,
    }));
    const deltas: string[] = [];
    const r = await provider().chat(
      {
        model: 'qwen2.5:14b',
        messages: [{ role: 'user', content: 'plan?' }],
        options: { maxTokens: 50, json: false },
      },
      (d) => deltas.push(d),
    );
    expect(deltas.join('')).toBe('Ship the multisig first, then the rest.');
    expect(deltas.length).toBeGreaterThan(3);
    expect(r).toMatchObject({
      model: 'gpt-4o-mini',
      provider: 'openai',
      promptTokens: 87,
      completionTokens: 9,
    });
    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.body).toMatchObject({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
  });

  it('uses the * entry for unmapped models and response_format for JSON', async () => {
    server.setResponder((req) => (req.response_format?.type === 'json_object' ? '{"score":4}' : 'plain'));
    const r = await provider().chat({
      model: 'llama3.2:3b',
      messages: [{ role: 'user', content: 'x' }],
      options: { json: true },
    });
    expect(r.model).toBe('gpt-4.1-nano');
    expect(JSON.parse(r.text)).toEqual({ score: 4 });
  });

  it('asks for a strict json_schema response_format, and falls back to json_object when the server refuses it', async () => {
    const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
    server.setResponder((req) =>
      req.response_format?.type === 'json_schema' ? '{"score":5}' : '{"score":3}',
    );
    const strict = await provider().chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      options: { json: true, jsonSchema: { name: 'verdict', schema } },
    });
    expect(JSON.parse(strict.text)).toEqual({ score: 5 });
    expect(server.requests.at(-1)!.body).toMatchObject({
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
    });

    server.failNext(1, 400);
    const plain = await provider().chat({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      options: { json: true, jsonSchema: { name: 'verdict', schema } },
    });
    expect(JSON.parse(plain.text)).toEqual({ score: 3 });
    expect(server.requests.at(-1)!.body).toMatchObject({ response_format: { type: 'json_object' } });
  });

  it('accepts a base URL that already ends in /v1 and lists models', async () => {
    expect(await provider({ baseUrl: `${server.url}/v1/` }).models()).toEqual([
      'gpt-4o-mini',
      'gpt-4.1-nano',
    ]);
  });

  it('a wrong key fails without the key (or the echoed one) in the error or the logs', async () => {
    const wrong = 'sk-wrong-0123456789abcdefghij';
    const err = await provider({ apiKey: wrong })
      .chat({ model: 'qwen2.5:14b', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'bad_response', retryable: false, status: 401 });
    const text = `${(err as Error).message} ${(err as Error).stack} ${logged.join(' ')}`;
    expect((err as Error).message).toContain('Incorrect API key');
    expect(text).not.toContain(wrong);
    expect(text).not.toContain('0123456789abcdef');
    expect(text).not.toContain(KEY);
  });

  it('retries 500s and dropped sockets, not 4xx', async () => {
    server.failNext(1, 500);
    server.failNext(1, 'destroy');
    const r = await provider().chat({ model: 'qwen2.5:14b', messages: [{ role: 'user', content: 'x' }] });
    expect(r.text).toBe('answer from gpt-4o-mini');
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);

    server.requests.length = 0;
    server.failNext(1, 422);
    const err = await provider()
      .chat({ model: 'qwen2.5:14b', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'bad_response', status: 422 });
    expect(server.requests).toHaveLength(1);
  });

  it('a remote model that does not exist is model_not_found', async () => {
    const err = await provider({ modelMap: 'x=gpt-9' })
      .chat({ model: 'x', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'model_not_found', retryable: false });
  });

  it('honours an aborted signal', async () => {
    const err = await provider()
      .chat({ model: 'qwen2.5:14b', messages: [{ role: 'user', content: 'x' }], signal: AbortSignal.abort() })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'aborted' });
  });

  it('parses the model map with clear errors', () => {
    expect(parseModelMap(' a=b , c:1=d/e ')).toEqual({ a: 'b', 'c:1': 'd/e' });
    expect(parseModelMap(undefined)).toEqual({});
    expect(() => parseModelMap('a=b,oops')).toThrow(
      /^OPENAI_MODEL_MAP: "oops" is not persona-model=remote-model/,
    );
    expect(() => parseModelMap('a=')).toThrow(/OPENAI_MODEL_MAP: a model name is empty/);
    expect(() => parseModelMap('a=b,a=c')).toThrow(/mapped twice/);
  });
});
