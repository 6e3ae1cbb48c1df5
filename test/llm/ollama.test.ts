import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOllamaProvider, type OllamaProviderOptions } from '../../engine/llm/ollama.ts';
import { LlmError } from '../../engine/llm/types.ts';
import type { Logger } from '../../engine/log.ts';
import { type FakeOllamaServer, startOllamaServer } from '../fakes/ollama-server.ts';

interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): Logger {
  const make = (): Logger => ({
    debug: (message, fields) => lines.push({ level: 'debug', message, ...(fields ? { fields } : {}) }),
    info: (message, fields) => lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    warn: (message, fields) => lines.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) => lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
    child: () => make(),
  });
  return make();
}

const user = (content: string) => [
  { role: 'system' as const, content: 'You are a careful engineer.' },
  { role: 'user' as const, content },
];

describe('ollama provider against the Ollama-protocol server (real ollama-js)', () => {
  let server: FakeOllamaServer;
  let logs: LogLine[];
  let sleeps: number[];

  const provider = (extra: Partial<OllamaProviderOptions> = {}) =>
    createOllamaProvider({
      host: server.url,
      timeoutMs: 5_000,
      log: recordingLogger(logs),
      retry: {
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 1,
      },
      ...extra,
    });

  beforeAll(async () => {
    server = await startOllamaServer({ models: ['qwen2.5:3b', 'llama3.2:3b', 'mistral:latest'] });
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    server.setChunkDelay(0);
    server.setResponder((req) => `echo ${req.model}`);
    logs = [];
    sleeps = [];
  });
  logs = [];
  sleeps = [];

  it('streams deltas that concatenate to the text and reports the server token counts exactly', async () => {
    server.setResponder(() => ({
      text: 'The ledger must be auditable by every member.',
      promptTokens: 321,
      completionTokens: 17,
    }));
    const deltas: string[] = [];
    const result = await provider().chat(
      {
        model: 'qwen2.5:3b',
        messages: user('Review the DAO wallet'),
        options: { temperature: 0.4, maxTokens: 99 },
      },
      (d) => deltas.push(d),
    );
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe('The ledger must be auditable by every member.');
    expect(result).toMatchObject({
      text: 'The ledger must be auditable by every member.',
      model: 'qwen2.5:3b',
      provider: 'ollama',
      promptTokens: 321,
      completionTokens: 17,
    });
    const body = server.chatRequests()[0]!.body!;
    expect(body).toMatchObject({
      model: 'qwen2.5:3b',
      stream: true,
      options: { temperature: 0.4, num_predict: 99 },
    });
    expect(body.format).toBeUndefined();
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'Review the DAO wallet' });
  });

  it("sends format: 'json' when JSON is requested", async () => {
    server.setResponder((req) => (req.format === 'json' ? '{"score": 7}' : 'not json'));
    const result = await provider().chat({
      model: 'qwen2.5:3b',
      messages: user('verdict?'),
      options: { json: true },
    });
    expect(JSON.parse(result.text)).toEqual({ score: 7 });
    expect(server.chatRequests()[0]!.body!.format).toBe('json');
  });

  it('sends the JSON schema as format when a strict answer is requested', async () => {
    const schema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
    server.setResponder((req) => (typeof req.format === 'object' ? '{"score": 6}' : 'not json'));
    const result = await provider().chat({
      model: 'qwen2.5:3b',
      messages: user('verdict?'),
      options: { json: true, jsonSchema: { name: 'verdict', schema } },
    });
    expect(JSON.parse(result.text)).toEqual({ score: 6 });
    expect(server.chatRequests()[0]!.body!.format).toEqual(schema);
  });

  it('falls back to an installed model and reports the missing one once across calls', async () => {
    const p = provider({ fallbacks: ['qwen2.5:14b', 'llama3.2:3b', 'qwen2.5:3b'] });
    const results = [];
    for (let i = 0; i < 3; i++)
      results.push(await p.chat({ model: 'qwen2.5:32b', messages: user(`turn ${i}`) }));
    expect(results.map((r) => r.model)).toEqual(['llama3.2:3b', 'llama3.2:3b', 'llama3.2:3b']);
    expect(results[0]!.text).toBe('echo llama3.2:3b');
    const warnings = logs.filter((l) => l.level === 'warn' && l.message.includes('qwen2.5:32b'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ model: 'qwen2.5:32b', fallback: 'llama3.2:3b' });
    // The installed list is read once, not per call; no chat request ever named the missing model.
    expect(server.requests.filter((r) => r.path === '/api/tags')).toHaveLength(1);
    expect(server.chatRequests().map((r) => r.body!.model)).toEqual([
      'llama3.2:3b',
      'llama3.2:3b',
      'llama3.2:3b',
    ]);
  });

  it('matches a bare model name to its :latest tag, and uses any installed model past the list', async () => {
    const p = provider({ fallbacks: ['nothing:1b'] });
    expect(await p.resolveModel('mistral')).toBe('mistral:latest');
    expect(await p.resolveModel('phi4')).toBe('qwen2.5:3b');
    expect(await p.models()).toEqual(['qwen2.5:3b', 'llama3.2:3b', 'mistral:latest']);
  });

  it('re-lists and falls back when a listed model answers 404 (removed since)', async () => {
    const p = provider({ fallbacks: ['llama3.2:3b'] });
    await p.prepare();
    const i = server.models.indexOf('mistral:latest');
    server.models.splice(i, 1);
    try {
      const result = await p.chat({ model: 'mistral:latest', messages: user('hello') });
      expect(result.model).toBe('llama3.2:3b');
      expect(server.chatRequests().map((r) => [r.body!.model, r.outcome])).toEqual([
        ['mistral:latest', 'failed'],
        ['llama3.2:3b', 'completed'],
      ]);
    } finally {
      server.models.splice(i, 0, 'mistral:latest');
    }
  });

  it('survives injected 500s and dropped connections through retries with backoff', async () => {
    const p = provider();
    await p.prepare();
    server.failNext(2, 500);
    server.failNext(1, 'destroy');
    const result = await p.chat({ model: 'qwen2.5:3b', messages: user('again') });
    expect(result.text).toBe('echo qwen2.5:3b');
    expect(server.chatRequests().map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'completed']);
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it('gives up after the configured retries with a retryable server_error', async () => {
    const p = provider({ retries: 1 });
    await p.prepare();
    server.failNext(2, 503);
    const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmError);
    expect(err).toMatchObject({ code: 'server_error', retryable: true, status: 503, partial: false });
    expect(server.chatRequests()).toHaveLength(2);
  });

  it('does not retry a 4xx', async () => {
    const p = provider();
    await p.prepare();
    server.failNext(1, 400);
    const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'bad_response', retryable: false, status: 400 });
    expect(server.chatRequests()).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('does not retry once deltas were streamed: fails partial and retryable for the caller', async () => {
    server.setResponder(() => 'one two three four five six');
    const p = provider();
    await p.prepare();
    server.failNext(1, { afterChunks: 2 });
    const deltas: string[] = [];
    const err = await p
      .chat({ model: 'qwen2.5:3b', messages: user('x') }, (d) => deltas.push(d))
      .catch((e) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'connection', retryable: true, partial: true });
    expect(deltas).toEqual(['one ', 'two ']);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('an error line inside the stream is retried before output, and partial after it', async () => {
    server.setResponder(() => 'alpha beta gamma');
    const p = provider();
    await p.prepare();
    server.failNext(1, { errorAfterChunks: 0 });
    expect((await p.chat({ model: 'qwen2.5:3b', messages: user('x') })).text).toBe('alpha beta gamma');
    expect(server.chatRequests().map((r) => r.outcome)).toEqual(['failed', 'completed']);

    server.failNext(1, { errorAfterChunks: 1 });
    const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }, () => {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'server_error', retryable: true, partial: true });
    expect((err as Error).message).toContain('injected failure mid-stream');
    expect(server.chatRequests()).toHaveLength(3);
  });

  it('aborting mid-stream closes the connection and throws aborted', async () => {
    server.setResponder(() => 'a b c d e f g h i j k l m n o p');
    server.setChunkDelay(30);
    const p = provider();
    await p.prepare();
    const controller = new AbortController();
    const deltas: string[] = [];
    const err = await p
      .chat({ model: 'qwen2.5:3b', messages: user('x'), signal: controller.signal }, (d) => {
        deltas.push(d);
        if (deltas.length === 2) controller.abort();
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'aborted', retryable: false });
    expect(await server.chatRequests()[0]!.settled).toBe('aborted');
    expect(deltas).toHaveLength(2);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('an already-aborted signal sends nothing', async () => {
    const p = provider();
    await p.prepare();
    const err = await p
      .chat({ model: 'qwen2.5:3b', messages: user('x'), signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aborted' });
    expect(server.chatRequests()).toHaveLength(0);
  });

  it('times out when the server goes quiet, without retrying', async () => {
    server.setChunkDelay(1_000);
    const p = provider({ timeoutMs: 100 });
    await p.prepare();
    const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'timeout' });
    expect(await server.chatRequests()[0]!.settled).toBe('aborted');
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a server with no model at all is model_not_found, not a crash', async () => {
    const empty = await startOllamaServer({ models: [] });
    try {
      const p = createOllamaProvider({ host: empty.url, timeoutMs: 2_000, log: recordingLogger(logs) });
      const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'LlmError', code: 'model_not_found', retryable: false });
      expect((err as Error).message).toContain('ollama pull');
    } finally {
      await empty.close();
    }
  });

  it('a closed port is a retryable connection error after the retries', async () => {
    const gone = await startOllamaServer();
    const url = gone.url;
    await gone.close();
    const p = createOllamaProvider({
      host: url,
      timeoutMs: 2_000,
      log: recordingLogger(logs),
      retry: { retries: 2, sleep: async (ms) => void sleeps.push(ms) },
    });
    const err = await p.chat({ model: 'qwen2.5:3b', messages: user('x') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'LlmError', code: 'connection', retryable: true });
    expect(sleeps).toHaveLength(2);
  });
});
