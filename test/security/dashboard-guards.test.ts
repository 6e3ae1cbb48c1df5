import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../../dashboard/server.ts';
import type { Dashboard, DashboardConfig } from '../../dashboard/types.ts';
import { createMemoryBus } from '../../engine/bus/memory-bus.ts';
import type { EventBus } from '../../engine/events.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog, renderAvatar } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { seedDashboardData } from '../dashboard/helpers.ts';
import { createFakeArena } from '../fakes/fake-arena.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

const TOKEN = 'guard-T0ken-5ecret-0a1b2c3d4e5f';

describe('dashboard guards (DNS rebinding, read token, stream cap, action rate limit)', () => {
  let t: TestDatabase;
  let personas: readonly Persona[];
  const opened: Array<{ dashboard: Dashboard; bus: EventBus }> = [];
  beforeAll(async () => {
    [t, personas] = await Promise.all([createTestDatabase('pglite'), builtinCatalog()]);
    await seedDashboardData(t.db);
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.dashboard.close();
      await o.bus.close();
    }
    await t.dispose();
  });

  const build = (config: Partial<DashboardConfig> = {}) => {
    const bus = createMemoryBus();
    const dashboard = createDashboard({
      arena: createFakeArena({ bus, personas, costPerTurn: 0.02 }),
      bus,
      db: t.db,
      personas,
      renderAvatar,
      config: {
        host: '127.0.0.1',
        port: 0,
        publicUrl: 'https://arena.example.com',
        version: '0.1.0',
        codename: 'Signal Storm',
        dialect: 'pglite',
        ...config,
      },
      components: () => [],
      log: silentLogger,
      clock: { now: () => new Date() },
    });
    opened.push({ dashboard, bus });
    const req = (path: string, init: RequestInit & { host?: string } = {}) => {
      const headers = new Headers(init.headers);
      if (init.host) headers.set('host', init.host);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return dashboard.handle(new Request(`http://127.0.0.1:3000${path}`, { ...init, headers }));
    };
    return { dashboard, req };
  };

  /** A real request over TCP, with the Host header a rebinding browser would send. */
  const raw = (url: string, path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(url);
      const r = httpRequest({ host: u.hostname, port: u.port, path, headers }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      r.end();
    });

  it('refuses reads and actions for a foreign Host (DNS rebinding), over real HTTP too', async () => {
    const { dashboard, req } = build({ allowedHosts: ['arena.lan'] });
    const evil = await req('/api/state', { host: 'evil.example' });
    expect(evil.status).toBe(403);
    expect((await evil.json()).error.code).toBe('host_not_allowed');
    expect(
      (await req('/api/debates', { method: 'POST', host: 'evil.example:3000', body: '{}' })).status,
    ).toBe(403);
    for (const host of [
      '127.0.0.1:3000',
      'localhost:3000',
      '[::1]:3000',
      '10.0.0.7',
      'arena.example.com',
      'arena.lan:3000',
    ])
      expect((await req('/api/state', { host })).status, host).toBe(200);

    const { url } = await dashboard.listen();
    const over = await raw(url, '/api/state', { host: 'evil.example' });
    expect(over.status).toBe(403);
    expect(over.body).not.toContain('transcript');
    expect((await raw(url, '/api/state', { host: new URL(url).host })).status).toBe(200);
  });

  it('with DASHBOARD_REQUIRE_TOKEN_FOR_READS, reads need the bearer token or the cookie from /?token=', async () => {
    const { req } = build({ token: TOKEN, requireTokenForReads: true });
    const denied = await req('/api/state');
    expect(denied.status).toBe(401);
    expect((await denied.json()).error.code).toBe('token_required');
    expect((await req('/api/events')).status).toBe(401);
    expect((await req('/metrics')).status).toBe(401);
    expect((await req('/api/state', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await req('/api/state', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    // Open: the page, health checks, and avatars chat platforms fetch.
    expect((await req('/')).status).toBe(200);
    expect((await req('/api/health')).status).toBe(200);
    expect((await req(`/avatars/${personas[0]!.id}.png`)).status).toBe(200);

    expect((await req('/?token=wrong')).status).toBe(401);
    const login = await req(`/?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toContain(TOKEN);
    const pair = cookie.split(';')[0]!;
    expect((await req('/api/state', { headers: { cookie: pair } })).status).toBe(200);
    expect((await req('/api/state', { headers: { cookie: `${pair}x` } })).status).toBe(401);
  });

  it('caps open event streams', async () => {
    const { dashboard, req } = build({ maxStreams: 2 });
    const a = await req('/api/events');
    const b = await req('/api/events');
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await req('/api/events');
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).toBe('30');
    expect((await c.json()).error.code).toBe('too_many_streams');
    await a.body!.cancel();
    for (let i = 0; i < 50 && dashboard.sseClients() >= 2; i++) await new Promise((r) => setTimeout(r, 20));
    const d = await req('/api/events');
    expect(d.status).toBe(200);
    await b.body!.cancel();
    await d.body!.cancel();
  });

  it('rate-limits actions per token; a wrong token is refused before it counts', async () => {
    const { req } = build({ token: TOKEN, actionsPerMinute: 3 });
    const pause = (token: string) =>
      req('/api/debates/00000000-0000-4000-8000-000000000000/pause', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: '{}',
      });
    for (let i = 0; i < 5; i++) expect((await pause('wrong')).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await pause(TOKEN)).status);
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
    const limited = await pause(TOKEN);
    expect((await limited.json()).error.code).toBe('rate_limited');
  });

  it('property: any body to an action gets a clear 4xx or success, never a 500 or a crash', async () => {
    const { req } = build({ token: TOKEN, actionsPerMinute: 10_000 });
    const bodies = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc
        .record(
          {
            idea: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)),
            rounds: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double(), fc.string({ maxLength: 3 })),
            lang: fc.oneof(fc.constantFrom('en', 'ko', 'xx'), fc.string({ maxLength: 3 })),
            budgetCapUsd: fc.oneof(fc.double(), fc.string({ maxLength: 5 })),
            author: fc.string({ maxLength: 120 }),
            text: fc.string({ maxLength: 300 }),
            reason: fc.string({ maxLength: 80 }),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    const paths = fc.constantFrom(
      '/api/debates',
      '/api/debates/00000000-0000-4000-8000-000000000000/messages',
      '/api/debates/00000000-0000-4000-8000-000000000000/pause',
      '/api/debates/not-a-uuid/stop',
      '/api/jobs/nope/run',
    );
    await fc.assert(
      fc.asyncProperty(paths, bodies, async (path, body) => {
        const res = await req(path, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body });
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) expect((await res.json()).error.code).toMatch(/^[a-z_]+$/);
      }),
      { numRuns: 150 },
    );
  });
});
