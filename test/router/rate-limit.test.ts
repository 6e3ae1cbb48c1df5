import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiProvider } from '../../engine/llm/openai.ts';
import { createRateGate, parseDuration, retryAfterMs } from '../../engine/llm/router/rate-gate.ts';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import { silentLogger } from '../../engine/log.ts';
import { createFixedClock } from '../fakes/fixed-clock.ts';
import { type FakeOpenAiServer, startOpenAiServer } from '../fakes/openai-server.ts';

describe('provider rate limits (429)', () => {
  let server: FakeOpenAiServer;
  beforeAll(async () => {
    server = await startOpenAiServer();
  });
  afterAll(() => server.close());

  function setup(retries: number) {
    const clock = createFixedClock();
    const sleeps: number[] = [];
    // The fake clock moves only when someone sleeps: waits are measured, never spent.
    const sleep = async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    };
    const gate = createRateGate({ now: () => clock.now().getTime(), sleep });
    const sentAt: number[] = [];
    const fetchAt: typeof fetch = (input, init) => {
      sentAt.push(clock.now().getTime());
      return fetch(input, init);
    };
    const provider = createOpenAiProvider({
      baseUrl: server.url,
      timeoutMs: 5_000,
      log: silentLogger,
      fetch: fetchAt,
      gate,
      retry: { retries, sleep, random: () => 1 },
    });
    return { clock, gate, provider, sentAt, sleeps, t0: clock.now().getTime() };
  }
  const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('Retry-After: 2 → the next call to that provider waits at least 2 s', async () => {
    const { provider, sentAt, t0, gate } = setup(0);
    server.failNext(1, 429, { 'retry-after': '2' });
    await expect(provider.chat(ask)).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 2000 });
    const next = await provider.chat(ask);
    expect(next.text.length).toBeGreaterThan(0);
    expect(sentAt[1]! - t0).toBeGreaterThanOrEqual(2000);
    expect(gate.hits()).toBe(1);
  });

  it('the call that got the 429 is retried after the wait, not blindly at once', async () => {
    const { provider, sentAt, t0 } = setup(2);
    server.failNext(1, 429, { 'x-ratelimit-reset-requests': '1.5s', 'x-ratelimit-remaining-requests': '0' });
    await provider.chat(ask);
    expect(sentAt).toHaveLength(2);
    expect(sentAt[1]! - t0).toBeGreaterThanOrEqual(1500);
  });

  it('the router dispatches nothing while the gate is closed', async () => {
    // A fake clock: however slow the machine, the gate stays closed until the test moves time on.
    let t = 1_000_000;
    const gate = createRateGate({ now: () => t });
    let calls = 0;
    const router = createLlmRouter({
      now: () => t,
      provider: {
        name: 'openai',
        models: async () => [],
        chat: async (req) => {
          calls++;
          return {
            text: 'x',
            model: req.model,
            provider: 'openai',
            promptTokens: 1,
            completionTokens: 1,
            ms: 0,
          };
        },
      },
      gate,
    });
    gate.block(60_000);
    const pending = router.chat(ask);
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(0);
    expect(router.snapshot().rateLimitedUntil).not.toBeNull();
    t += 60_000;
    // The next arrival (or the gate's timer) finds the gate open: both calls go.
    await Promise.all([pending, router.chat(ask)]);
    expect(calls).toBe(2);
    expect(router.snapshot().rateLimitedUntil).toBeNull();
  });

  it('reads Retry-After as seconds or a date, and OpenAI reset durations', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    expect(retryAfterMs(h({ 'retry-after': '2' }), 0)).toBe(2000);
    expect(retryAfterMs(h({ 'retry-after-ms': '250' }), 0)).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(retryAfterMs(h({ 'x-ratelimit-reset-tokens': '6m0s' }), 0)).toBe(360_000);
    expect(retryAfterMs(h({}), 0)).toBeUndefined();
    expect(parseDuration('20ms')).toBe(20);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
