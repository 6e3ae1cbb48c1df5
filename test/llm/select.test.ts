import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../app/config.ts';
import { OFFLINE_NOTICE, selectProvider } from '../../engine/llm/select.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { type FakeOllamaServer, startOllamaServer } from '../fakes/ollama-server.ts';

describe('selectProvider', () => {
  let server: FakeOllamaServer;
  let closedUrl: string;

  beforeAll(async () => {
    server = await startOllamaServer({ models: ['qwen2.5:3b', 'llama3.2:3b'] });
    const gone = await startOllamaServer();
    closedUrl = gone.url;
    await gone.close();
  });
  afterAll(() => server.close());

  const base = { personas: [], log: silentLogger } as const;

  it('auto uses Ollama when it answers, and the provider talks to it', async () => {
    const { provider, description } = await selectProvider({ ...base, mode: 'auto', ollamaHost: server.url });
    expect(provider.name).toBe('ollama');
    expect(description).toBe(`ollama at ${server.url} (2 models: qwen2.5:3b, llama3.2:3b)`);
    const r = await provider.chat({ model: 'qwen2.5:3b', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.provider).toBe('ollama');
  });

  it('offline streams each call over OFFLINE_TURN_DELAY_MS (1.5 s unless set), so a debate can be watched', async () => {
    expect(loadConfig({}).OFFLINE_TURN_DELAY_MS).toBe(1500);
    expect(loadConfig({ OFFLINE_TURN_DELAY_MS: '0' }).OFFLINE_TURN_DELAY_MS).toBe(0);
    const personas = await builtinCatalog();
    const { provider } = await selectProvider({
      ...base,
      personas,
      mode: 'offline',
      ollamaHost: closedUrl,
      offlineTurnDelayMs: 300,
    });
    const deltas: string[] = [];
    const r = await provider.chat(
      {
        model: 'x',
        messages: [{ role: 'user', content: 'Debate: a tool library' }],
        metadata: { personaId: personas[0]!.id, task: 'turn', lang: 'en', idea: 'A tool library' },
      },
      (d) => deltas.push(d),
    );
    // A lower bound only (a loaded machine is slower, never faster): the delay reached the provider.
    expect(r.ms).toBeGreaterThanOrEqual(250);
    expect(deltas.length).toBeGreaterThan(1);
  });

  it('auto falls back to offline when nothing listens', async () => {
    const { provider, description } = await selectProvider({ ...base, mode: 'auto', ollamaHost: closedUrl });
    expect(provider.name).toBe('offline');
    expect(description).toBe(OFFLINE_NOTICE);
    expect(description).toContain('ollama pull qwen2.5:3b');
  });

  it('auto goes offline when Ollama has no model installed', async () => {
    const empty = await startOllamaServer({ models: [] });
    try {
      const { provider, description } = await selectProvider({
        ...base,
        mode: 'auto',
        ollamaHost: empty.url,
      });
      expect(provider.name).toBe('offline');
      expect(description).toContain('no model');
    } finally {
      await empty.close();
    }
  });

  it('explicit modes do not fall back', async () => {
    const o = await selectProvider({ ...base, mode: 'ollama', ollamaHost: closedUrl });
    expect(o.provider.name).toBe('ollama');
    expect(o.description).toContain('not answering');
    const off = await selectProvider({ ...base, mode: 'offline', ollamaHost: server.url });
    expect(off.provider.name).toBe('offline');
    const ai = await selectProvider({
      ...base,
      mode: 'openai',
      ollamaHost: server.url,
      openai: { baseUrl: 'https://user:pw@api.example.com/v1', apiKey: 'sk-secret-123456' },
    });
    expect(ai.provider.name).toBe('openai');
    expect(ai.description).not.toContain('pw');
    expect(ai.description).not.toContain('sk-secret');
  });

  it('auto honours OPENAI_BASE_URL: the OpenAI-compatible API, even when Ollama answers', async () => {
    const r = await selectProvider({
      ...base,
      mode: 'auto',
      ollamaHost: server.url,
      openai: { baseUrl: 'http://127.0.0.1:8000/v1', apiKey: 'sk-secret-123456' },
    });
    expect(r.provider.name).toBe('openai');
    expect(r.description).toContain('OPENAI_BASE_URL');
    expect(r.description).not.toContain('sk-secret');
  });

  it('uses an injected probe', async () => {
    const r = await selectProvider({
      ...base,
      mode: 'auto',
      ollamaHost: 'http://nowhere:1',
      probe: async () => ['m:1'],
    });
    expect(r.provider.name).toBe('ollama');
    expect(r.description).toContain('1 model: m:1');
  });
});
