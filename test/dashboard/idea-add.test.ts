import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '../helpers/db.ts';
import { arenaUnderTest } from './arena-under-test.ts';
import { type Harness, startHarness } from './harness.ts';

const TOKEN = 'idea-T0ken-5ecret-1a2b3c4d5e6f';

// POST /api/ideas on the real engine (its duplicate rule, its database), through dashboard.handle.
describe.each(testDialects())('POST /api/ideas on %s', { timeout: 60_000 }, (dialect) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ dialect, makeArena: arenaUnderTest, config: { token: TOKEN } });
  }, 60_000);
  afterAll(async () => h?.close());

  const post = (body: unknown, init: { token?: string | null; host?: string } = {}) => {
    const headers = new Headers({ 'content-type': 'application/json' });
    const token = init.token === undefined ? TOKEN : init.token;
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (init.host) headers.set('host', init.host);
    return h.dashboard.handle(
      new Request(`${h.url}/api/ideas`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  };
  const titles = async () =>
    (
      (await (await h.dashboard.handle(new Request(`${h.url}/api/ideas?limit=500`))).json()).ideas as {
        title: string;
      }[]
    ).map((i) => i.title);

  it('adds a pending idea (201 with its id) and says so on the bus for OUTPUT', async () => {
    const seen: string[] = [];
    const off = h.bus.subscribe((e) => {
      if (e.type === 'log') seen.push(e.message);
    });
    const res = await post({ title: '  Shared  tool library for apartment buildings ' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.idea).toMatchObject({
      id: body.id,
      title: 'Shared tool library for apartment buildings',
      status: 'pending',
    });
    expect(await titles()).toContain('Shared tool library for apartment buildings');
    const row = await h.t.db
      .selectFrom('ideas')
      .selectAll()
      .where('id', '=', body.id)
      .executeTakeFirstOrThrow();
    expect(row.source_type).toBe('traditional');
    expect(row.metadata).toMatchObject({ by: 'dashboard:dashboard' });
    await expect.poll(() => seen.some((m) => m.includes('idea added: "Shared tool library'))).toBe(true);
    off();
  });

  it('refuses a near-duplicate with 409 and the title it is close to', async () => {
    const before = (await titles()).length;
    const res = await post({ title: 'shared tool library for apartment buildings!' });
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe('duplicate_idea');
    expect(error.details.similarTo).toBe('Shared tool library for apartment buildings');
    expect((await titles()).length).toBe(before);
  });

  it('refuses bad bodies with 400 in the JSON error shape', async () => {
    const before = (await titles()).length;
    for (const body of [
      {},
      { title: 'ab' },
      { title: 'x'.repeat(501) },
      { title: 42 },
      { title: 'ok idea', extra: 1 },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('invalid_body');
      expect(typeof error.message).toBe('string');
    }
    expect((await post('{not json')).status).toBe(400);
    expect((await titles()).length).toBe(before);
  });

  it('refuses without the token (401), with a foreign Host (403), and adds nothing', async () => {
    const before = (await titles()).length;
    const none = await post({ title: 'A bakery subscription box' }, { token: null });
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBeTypeOf('string');
    expect((await post({ title: 'A bakery subscription box' }, { token: 'wrong' })).status).toBe(401);
    const foreign = await post({ title: 'A bakery subscription box' }, { host: 'evil.example' });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).error.code).toBe('host_not_allowed');
    expect((await titles()).length).toBe(before);
  });
});

describe('POST /api/ideas without a configured token', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ makeArena: arenaUnderTest, config: { host: '0.0.0.0', token: undefined } });
  }, 60_000);
  afterAll(async () => h?.close());

  it('is refused with 403 on a server listening beyond loopback', async () => {
    const res = await h.dashboard.handle(
      new Request('http://127.0.0.1:3000/api/ideas', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer guess' },
        body: JSON.stringify({ title: 'A bakery subscription box' }),
      }),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('actions_disabled');
  });
});

describe('POST /api/ideas under the action rate limit', { timeout: 60_000 }, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ makeArena: arenaUnderTest, config: { actionsPerMinute: 2 } });
  }, 60_000);
  afterAll(async () => h?.close());

  it('answers 429 rate_limited past the limit and adds nothing more', async () => {
    const post = (title: string) =>
      h.dashboard.handle(
        new Request(`${h.url}/api/ideas`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title }),
        }),
      );
    expect((await post('Seed library for balconies')).status).toBe(201);
    expect((await post('Night market route planner')).status).toBe(201);
    const third = await post('Language exchange for retirees');
    expect(third.status).toBe(429);
    expect((await third.json()).error.code).toBe('rate_limited');
    const rows = await h.t.db
      .selectFrom('ideas')
      .select('title')
      .where('title', '=', 'Language exchange for retirees')
      .execute();
    expect(rows).toHaveLength(0);
  });
});
