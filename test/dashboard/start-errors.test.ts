import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arenaUnderTest } from './arena-under-test.ts';
import { type Harness, startHarness } from './harness.ts';

// The real engine behind the dashboard: its refusals are the caller's mistakes, not server errors.
describe('POST /api/debates refusals', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ config: { token: 'tok-start-errors' }, makeArena: (p) => arenaUnderTest(p) });
  });
  afterAll(() => h?.close());

  const post = async (body: unknown) => {
    const res = await fetch(`${h.url}/api/debates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tok-start-errors' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };

  it('answers 404 for an unknown ideaId and 400 for both idea and ideaId, and starts nothing', async () => {
    const unknown = await post({ ideaId: randomUUID() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('idea_not_found');
    const both = await post({ idea: 'A bakery app', ideaId: randomUUID() });
    expect(both.status).toBe(400);
    expect(both.body.error?.message).toMatch(/not both/);
    expect(await h.arena.listDebates()).toHaveLength(0);
  });
});
