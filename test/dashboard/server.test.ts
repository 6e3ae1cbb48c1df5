import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../dashboard/server.ts';
import type { Dashboard, DashboardConfig } from '../../dashboard/types.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { EventBus } from '../../engine/events.ts';
import { createLlmRouter } from '../../engine/llm/router/router.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog, renderAvatar } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { readFrames, seedDashboardData, waitFor } from './helpers.ts';

const TOKEN = 'dash-T0ken-5ecret-9f8e7d6c5b4a';
const BASE = 'http://127.0.0.1:3000';

describe.each(testDialects())('dashboard HTTP API on %s', (dialect) => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  const opened: Array<{ dashboard: Dashboard; bus: EventBus }> = [];

  beforeAll(async () => {
    [t, personas] = await Promise.all([createTestDatabase(dialect), builtinCatalog()]);
    await seedDashboardData(t.db);
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.dashboard.close();
      await o.bus.close();
    }
    await t.dispose();
  });

  const build = (
    config: Partial<DashboardConfig> = {},
    extra: { jobs?: Record<string, () => Promise<unknown>> } = {},
  ) => {
    const bus = createMemoryBus();
    const arena = createFakeArena({ bus, personas, costPerTurn: 0.02 });
    const router = createLlmRouter({
      provider: {
        name: 'fake',
        models: async () => [],
        chat: async (r) => ({
          text: 'x',
          model: r.model,
          provider: 'fake',
          promptTokens: 1,
          completionTokens: 1,
          ms: 0,
        }),
      },
    });
    const dashboard = createDashboard({
      arena,
      bus,
      db: t.db,
      personas,
      renderAvatar,
      config: {
        host: '127.0.0.1',
        port: 0,
        token: TOKEN,
        publicUrl: 'http://127.0.0.1:3000',
        version: '0.1.0',
        codename: 'Signal Storm',
        dialect,
        ...config,
      },
      components: () => [
        { id: 'engine', name: 'debate-runner', kind: 'service', status: 'running', detail: '0 active' },
        // A component reporting a failure that quotes a secret: it must come out redacted.
        {
          id: 'discord',
          name: 'discord',
          kind: 'service',
          status: 'disabled',
          lastError: `login failed with Authorization: Bearer ${TOKEN}`,
        },
        {
          id: 'job:signal-fetch',
          name: 'signal-fetch',
          kind: 'job',
          status: 'idle',
          lastRunAt: new Date().toISOString(),
        },
      ],
      jobs: extra.jobs ?? {},
      deliveries: async () => ({ pending: 3, failed: 1 }),
      router: () => router.snapshot(),
      log: silentLogger,
      clock: { now: () => new Date() },
    });
    opened.push({ dashboard, bus });
    const req = (path: string, init: RequestInit & { token?: string | null } = {}) => {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? TOKEN : init.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return dashboard.handle(new Request(`${BASE}${path}`, { ...init, headers }));
    };
    return { dashboard, arena, bus, req, router };
  };

  it('answers /api/health with version, dialect and redacted components', async () => {
    const { req } = build();
    const res = await req('/api/health');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', version: '0.1.0', db: { dialect, ok: true } });
    expect(body.components.map((c: { id: string }) => c.id)).toEqual([
      'engine',
      'discord',
      'job:signal-fetch',
      'dashboard',
    ]);
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    expect(body.components[1].lastError).toContain('Bearer ***');
  });

  it('gives one /api/state snapshot with every panel’s data from the database', async () => {
    const { req } = build();
    const state = await (await req('/api/state')).json();
    expect(state.app).toEqual({ name: 'AGENTIC ARENA', version: '0.1.0', codename: 'Signal Storm' });
    expect(state.system.memBytes).toBeGreaterThan(10_000_000);
    expect(state.system.status).toBe('online');
    expect(state.config.actions).toBe('token');
    expect(
      state.signals.sources.map((s: { source: string; count: number }) => `${s.source}:${s.count}`),
    ).toEqual(['github:2', 'news:1', 'rss:2', 'social:1']);
    expect(state.signals.latest[0].title).toBe('Small local models now beat last year’s giants');
    // A feed's javascript: link never reaches the page as a link.
    const github = state.signals.latest.find((s: { title: string }) => s.title.startsWith('Agent framework'));
    expect(github.url).toBeNull();
    expect(state.ideas.counts).toEqual({ pending: 2, in_debate: 0, selected: 1, rejected: 0, planned: 1 });
    expect(state.budget.day.limitUsd).toBe(50);
    expect(
      state.output.some((e: { message?: string }) => e.message === 'RSS batch processed: 6 signals'),
    ).toBe(true);
    expect(state.personas).toHaveLength(personas.length);
    expect(state.personas[0]).toMatchObject({
      id: personas[0]!.id,
      handle: personas[0]!.handle,
      color: personas[0]!.color,
    });
    expect(state.personas[0]).not.toHaveProperty('guidance');
    expect(state.eventId).toMatch(/^[a-z0-9]+-0$/);
    expect(state.live).toBeNull();
  });

  it('serves persona avatars as cacheable PNGs and 404s unknown ids', async () => {
    const { req } = build();
    const id = personas[0]!.id;
    const res = await req(`/avatars/${id}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toContain('max-age=');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const again = await req(`/avatars/${id}.png`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const missing = await req('/avatars/nobody.png');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('unknown_persona');
  });

  it('refuses actions without or with a wrong token (401) and changes nothing', async () => {
    const { req, arena } = build();
    const before = await (await req('/api/debates')).json();
    for (const token of [null, 'wrong-token', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const res = await req('/api/debates', {
        method: 'POST',
        token,
        body: JSON.stringify({ idea: 'a wallet for DAOs' }),
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('unauthorized');
    }
    const basic = await req('/api/debates', {
      method: 'POST',
      token: null,
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      body: JSON.stringify({ idea: 'a wallet for DAOs' }),
    });
    expect(basic.status).toBe(401);
    for (const path of ['pause', 'resume', 'stop', 'messages']) {
      const res = await req(`/api/debates/00000000-0000-4000-8000-000000000000/${path}`, {
        method: 'POST',
        token: 'nope',
        body: JSON.stringify({ text: 'hi' }),
      });
      expect(res.status).toBe(401);
    }
    expect((await req('/api/jobs/signal-fetch/run', { method: 'POST', token: null })).status).toBe(401);
    expect(arena.calls).toEqual([]);
    expect(await (await req('/api/debates')).json()).toEqual(before);
  });

  it('answers malformed bodies with 400 and a code, before touching the arena', async () => {
    const { req, arena } = build();
    const cases: Array<[string, string, number, string]> = [
      ['/api/debates', '{"idea": ', 400, 'invalid_json'],
      ['/api/debates', '{}', 400, 'invalid_body'],
      ['/api/debates', '{"idea": 42}', 400, 'invalid_body'],
      ['/api/debates', '{"idea": "a real idea", "rounds": 99}', 400, 'invalid_body'],
      ['/api/debates', '{"idea": "a real idea", "lang": "fr"}', 400, 'invalid_body'],
      ['/api/debates', '{"idea": "a real idea", "admin": true}', 400, 'invalid_body'],
      ['/api/debates', '[1,2]', 400, 'invalid_body'],
      ['/api/debates/00000000-0000-4000-8000-000000000000/messages', '{"text": ""}', 400, 'invalid_body'],
      ['/api/debates/00000000-0000-4000-8000-000000000000/pause', '{"reason": 7}', 400, 'invalid_body'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await req(path, { method: 'POST', body });
      expect({ path, body, status: res.status }).toEqual({ path, body, status });
      const json = await res.json();
      expect(json.error.code).toBe(code);
      expect(typeof json.error.message).toBe('string');
    }
    const form = await req('/api/debates', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'idea=hello',
    });
    expect(form.status).toBe(415);
    const huge = await req('/api/debates', {
      method: 'POST',
      body: JSON.stringify({ idea: 'x'.repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
    expect((await huge.json()).error.code).toBe('body_too_large');
    expect(arena.calls).toEqual([]);
  });

  it('refuses every action with 403 on a non-loopback host without a token; allows loopback', async () => {
    const open = build({ host: '0.0.0.0', token: undefined });
    expect((await (await open.req('/api/state', { token: null })).json()).config.actions).toBe('disabled');
    const res = await open.req('/api/debates', {
      method: 'POST',
      token: null,
      body: JSON.stringify({ idea: 'a wallet' }),
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('actions_disabled');
    // Even a bearer token does not help when none is configured.
    expect(
      (await open.req('/api/debates', { method: 'POST', token: 'guess', body: '{"idea":"a wallet"}' }))
        .status,
    ).toBe(403);
    expect(open.arena.calls).toEqual([]);

    const local = build({ host: '127.0.0.1', token: undefined });
    const ok = await local.req('/api/debates', {
      method: 'POST',
      token: null,
      body: JSON.stringify({ idea: 'a wallet' }),
    });
    expect(ok.status).toBe(201);
    // Loopback without a token: a page on another origin, or a rebinding Host, cannot drive it.
    const cross = await local.req('/api/debates', {
      method: 'POST',
      token: null,
      headers: { origin: 'https://evil.example', host: '127.0.0.1:3000' },
      body: JSON.stringify({ idea: 'a wallet' }),
    });
    expect(cross.status).toBe(403);
    expect((await cross.json()).error.code).toBe('cross_origin');
    const rebind = await local.req('/api/debates', {
      method: 'POST',
      token: null,
      headers: { host: 'evil.example:3000' },
      body: JSON.stringify({ idea: 'a wallet' }),
    });
    expect(rebind.status).toBe(403);
    expect(local.arena.calls).toEqual(['startDebate']);
    // With a token, a reverse proxy's public Origin is fine: the token is what is checked.
    const proxied = build({ host: '127.0.0.1' });
    const behindProxy = await proxied.req('/api/debates', {
      method: 'POST',
      headers: { origin: 'https://arena.example.com', host: '127.0.0.1:3000' },
      body: JSON.stringify({ idea: 'a wallet' }),
    });
    expect(behindProxy.status).toBe(201);
  });

  it('runs debate actions through the arena and maps refusals to codes', async () => {
    const { req, arena } = build();
    const started = await req('/api/debates', {
      method: 'POST',
      body: JSON.stringify({ idea: 'A wallet for DAOs', rounds: 1 }),
    });
    expect(started.status).toBe(201);
    const { debateId } = await started.json();
    await arena.finished(debateId);
    const detail = await (await req(`/api/debates/${debateId}`)).json();
    expect(detail.debate.status).toBe('completed');
    expect(detail.debate.messages.length).toBeGreaterThan(3);
    const stop = await req(`/api/debates/${debateId}/stop`, { method: 'POST' });
    expect(stop.status).toBe(409);
    expect((await stop.json()).error.code).toBe('already_finished');
    const say = await req(`/api/debates/${debateId}/messages`, { method: 'POST', body: '{"text":"late"}' });
    expect((await say.json()).error.code).toBe('already_finished');
    const unknown = await req('/api/debates/00000000-0000-4000-8000-000000000000/pause', { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('debate_not_found');
    expect((await req('/api/debates/not-a-uuid')).status).toBe(404);

    const live = await (
      await req('/api/debates', { method: 'POST', body: '{"idea":"Second idea","rounds":3}' })
    ).json();
    expect(
      (await req(`/api/debates/${live.debateId}/pause`, { method: 'POST', body: '{"reason":"user"}' }))
        .status,
    ).toBe(200);
    expect((await req(`/api/debates/${live.debateId}/pause`, { method: 'POST' })).status).toBe(409);
    const human = await req(`/api/debates/${live.debateId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: '@OptimisticDev what about privacy?', author: 'Mina' }),
    });
    expect(human.status).toBe(201);
    expect((await human.json()).message).toMatchObject({
      authorKind: 'human',
      agentName: 'Mina',
      content: '@OptimisticDev what about privacy?',
    });
    expect((await req(`/api/debates/${live.debateId}/resume`, { method: 'POST' })).status).toBe(200);
    expect((await req(`/api/debates/${live.debateId}/stop`, { method: 'POST' })).status).toBe(200);
    await arena.finished(live.debateId);
    expect((await arena.getDebate(live.debateId))!.status).toBe('cancelled');
  });

  it('runs a registered job now, once at a time', async () => {
    let release!: () => void;
    let runs = 0;
    const { req, bus } = build(
      {},
      {
        jobs: {
          'signal-fetch': () => {
            runs++;
            return new Promise<void>((r) => (release = r));
          },
        },
      },
    );
    const logs: string[] = [];
    bus.subscribe((e) => e.type === 'log' && logs.push(`${e.source} ${e.message}`));
    const res = await req('/api/jobs/signal-fetch/run', { method: 'POST' });
    expect(res.status).toBe(202);
    expect(runs).toBe(1);
    const again = await req('/api/jobs/signal-fetch/run', { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe('job_running');
    release();
    await waitFor(() => logs.includes('job:signal-fetch finished'));
    expect((await req('/api/jobs/nope/run', { method: 'POST' })).status).toBe(404);
    expect((await req('/api/jobs/constructor/run', { method: 'POST' })).status).toBe(404);
  });

  it('answers unknown routes and methods with JSON errors and serves the page with content types', async () => {
    const { req } = build();
    const missing = await req('/api/nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    expect((await req('/api/state', { method: 'DELETE' })).status).toBe(405);
    const page = await req('/');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    expect(
      (await req('/debates/00000000-0000-4000-8000-000000000000')).headers.get('content-type'),
    ).toContain('text/html');
    const plain = await req('/app.js');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const zipped = await req('/app.js', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(await plain.text());
    expect((await req('/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await req('/../package.json')).status).toBe(404);
    expect((await req('/%2e%2e%2fpackage.json')).status).toBe(404);
    expect((await req('/api/debates?limit=0')).status).toBe(400);
  });

  it('streams events over SSE and replays exactly what a reconnecting client missed', async () => {
    const { dashboard, arena } = build({ heartbeatMs: 50 });
    const { url } = await dashboard.listen();
    const first = await fetch(`${url}/api/events`);
    expect(first.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const started = await arena.startDebate({ idea: 'Streaming test idea', origin: 'cli', rounds: 2 });
    // Read until three messages have been committed, then drop the connection mid-debate.
    const seen = await readFrames(
      first.body!,
      (f) => f.filter((x) => x.data?.includes('"message.created"')).length >= 3,
    );
    expect(seen.some((f) => f.comment === 'connected')).toBe(true);
    expect(seen.some((f) => f.event === 'delta')).toBe(true);
    const withIds = seen.filter((f) => f.id);
    const lastId = withIds.at(-1)!.id!;
    await waitFor(() => dashboard.sseClients() === 0);
    await arena.finished(started.debateId);

    const resumed = await fetch(`${url}/api/events`, { headers: { 'last-event-id': lastId } });
    const rest = await readFrames(resumed.body!, (f) =>
      f.some((x) => x.data?.includes('"debate.completed"')),
    );
    const replayed = rest.filter((f) => f.id);
    const seq = (id: string) => Number(id.split('-')[1]);
    // Contiguous ids: nothing skipped, nothing repeated across the two connections.
    expect(seq(replayed[0]!.id!)).toBe(seq(lastId) + 1);
    expect(replayed.map((f) => seq(f.id!))).toEqual(replayed.map((_, i) => seq(lastId) + 1 + i));
    const allMessages = [...withIds, ...replayed]
      .map((f) => JSON.parse(f.data!))
      .filter((e) => e.type === 'message.created')
      .map((e) => e.message.id);
    const stored = (await arena.getDebate(started.debateId))!.messages.map((m) => m.id);
    expect(allMessages).toEqual(stored);

    // An id from another server run (or one the buffer no longer holds) asks the page to resync.
    const stale = await fetch(`${url}/api/events`, { headers: { 'last-event-id': 'zzz-3' } });
    const frames = await readFrames(stale.body!, (f) => f.some((x) => x.event === 'resync'));
    expect(frames.find((f) => f.event === 'resync')).toBeTruthy();
    // Heartbeat comments keep idle connections open.
    const idle = await fetch(`${url}/api/events`);
    expect((await readFrames(idle.body!, (f) => f.some((x) => x.comment === 'ping'))).length).toBeGreaterThan(
      0,
    );
    await waitFor(() => dashboard.sseClients() === 0);
  });

  it('exposes Prometheus metrics fed by events', async () => {
    const { req, arena, dashboard, router } = build();
    const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    await Promise.all([router.chat(ask), router.chat(ask)]);
    const { debateId } = await arena.startDebate({ idea: 'Metrics idea', origin: 'cli', rounds: 1 });
    await arena.finished(debateId);
    const res = await req('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    const value = (name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.slice(name.length + 1)) : undefined;
    };
    for (const line of text.trim().split('\n')) {
      expect(line).toMatch(
        /^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+|[a-z_]+\{le="\+Inf"\} \d+)$/,
      );
    }
    const messages = (await arena.getDebate(debateId))!.messages;
    expect(value('arena_messages_total{author_kind="persona"}')).toBe(messages.length);
    expect(value('arena_llm_tokens_total{kind="prompt"}')).toBe(messages.length * 120);
    expect(value('arena_llm_cost_usd_total')).toBeCloseTo(messages.length * 0.02, 6);
    expect(value('arena_llm_latency_seconds_count')).toBe(messages.length);
    expect(value('arena_deliveries{status="pending"}')).toBe(3);
    expect(value('arena_deliveries{status="failed"}')).toBe(1);
    expect(value('arena_sse_clients')).toBe(dashboard.sseClients());
    expect(value('arena_budget_limit_usd{window="day"}')).toBe(50);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE arena_llm_latency_seconds histogram');
    expect(value('arena_llm_calls_total')).toBe(2);
    expect(value('arena_llm_in_flight')).toBe(0);
    expect(text).toContain('# TYPE arena_llm_model_loads_total counter');
  });

  it('never puts the token in any response', async () => {
    const { req, dashboard, arena } = build();
    const { debateId } = await arena.startDebate({ idea: 'Secret test', origin: 'cli', rounds: 1 });
    await arena.finished(debateId);
    const paths = [
      '/api/health',
      '/api/state',
      '/api/debates',
      `/api/debates/${debateId}`,
      '/api/ideas',
      '/api/signals',
      '/api/budget',
      '/api/personas',
      '/metrics',
      '/',
      '/app.js',
      '/api/nope',
    ];
    const bodies: string[] = [];
    for (const p of paths) {
      const res = await req(p);
      bodies.push(await res.text(), JSON.stringify([...res.headers]));
    }
    for (const token of [null, 'wrong']) {
      const res = await req('/api/debates', { method: 'POST', token, body: '{"idea":"x y z"}' });
      bodies.push(await res.text(), JSON.stringify([...res.headers]));
    }
    const { url } = await dashboard.listen();
    const sse = await fetch(`${url}/api/events?since=0`);
    bodies.push(JSON.stringify(await readFrames(sse.body!, (f) => f.length >= 2)));
    expect(bodies.length).toBeGreaterThan(20);
    for (const b of bodies) expect(b).not.toContain(TOKEN);
  });
});
