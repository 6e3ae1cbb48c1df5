import { describe, expect, it } from 'vitest';
import {
  checkDebate,
  checkRun,
  type DebateEvidence,
  type GlobalEvidence,
  type ThreadPost,
} from '../../scripts/chaos/check.ts';
import { renderReport } from '../../scripts/chaos/report.ts';

// The chaos run's checker on hand-made threads: a clean one passes, and every kind of damage the
// run exists to find (loss, duplicate, reorder, leftover preview, stray post, orphan rows, usage
// drift, a process that died) fails it.

const persona = (turnIndex: number, author: string, text: string) => ({
  turnIndex,
  text,
  author,
  byIdentity: true,
});
const post = (id: string, author: string, content: string, byIdentity = true): ThreadPost => ({
  id,
  byIdentity,
  author,
  content,
  banner: null,
  notice: false,
  person: null,
});
const banner = (id: string, title: string): ThreadPost => ({
  id,
  byIdentity: false,
  author: 'Arena',
  content: '',
  banner: title,
  notice: false,
  person: null,
});
/** A person's own message in the thread (turn 2 of the debate below). */
const said = (id: string): ThreadPost => ({ ...post(id, 'bob', 'What about rent?', false), person: id });

function cleanDebate(): DebateEvidence {
  const long = `${'word '.repeat(500)}end`;
  return {
    debateId: 'd1',
    title: 'Tool library',
    status: 'completed',
    shown: [
      persona(0, 'Ada', 'First point a1'),
      persona(1, 'Bo', 'Second point b2'),
      { turnIndex: 3, text: '📝 Summary s3', author: 'bot', byIdentity: false },
      persona(4, 'Cy', long),
    ],
    posts: [
      banner('p0', 'Divergence · round 1/1'),
      post('p1', 'Ada', 'First point a1'),
      post('p2', 'Bo', 'Second point b2'),
      said('h1'),
      { ...post('p2b', 'Arena', '⏸️ paused', false), notice: true },
      banner('p3', 'Convergence'),
      post('p4', 'Arena', '📝 Summary s3', false),
      // A long message split into two posts reads as one.
      post('p5', 'Cy', long.slice(0, 1500)),
      post('p6', 'Cy', long.slice(1500)),
      banner('p7', 'Debate finished — selected'),
    ],
    unsentRows: 0,
    trackedPreviews: 0,
    people: [{ id: 'h1', stored: 1, turnIndex: 2, quoted: 3 }],
    totals: { prompt: 10, completion: 20, cost: 0.5 },
    sums: { prompt: 10, completion: 20, cost: 0.5 },
  };
}

const cleanGlobal = (): GlobalEvidence => ({
  apiUsage: { input: 10, output: 20, requests: 4 },
  messageUsage: { input: 10, output: 20, requests: 4 },
  unfolded: 0,
  heldUsd: 0,
  crashes: 0,
});

const edit = (fn: (posts: ThreadPost[]) => ThreadPost[]): DebateEvidence => {
  const d = cleanDebate();
  return { ...d, posts: fn([...d.posts]) };
};

describe('the chaos checker', () => {
  it('passes a thread that shows every committed message once, in order', () => {
    const v = checkDebate(cleanDebate());
    expect(v).toMatchObject({ messages: 4, delivered: 4, lost: 0, duplicated: 0, reordered: 0 });
    expect(v.problems).toEqual([]);
    const run = checkRun([cleanDebate()], cleanGlobal(), 1);
    expect(run.ok).toBe(true);
    expect(renderReport(stats, run)).toMatch(/verdict: PASS/);
  });

  it('counts a lost post', () => {
    const v = checkDebate(edit((p) => p.filter((x) => x.id !== 'p2')));
    expect(v.lost).toBe(1);
    expect(v.problems.join()).toMatch(/turns never posted: 1/);
    expect(checkRun([edit((p) => p.filter((x) => x.id !== 'p2'))], cleanGlobal(), 1).ok).toBe(false);
  });

  it('counts a duplicated post and a duplicated banner', () => {
    const v = checkDebate(
      edit((p) => [...p.slice(0, 3), post('dup', 'Bo', 'Second point b2'), ...p.slice(3)]),
    );
    expect(v.duplicated).toBe(1);
    expect(checkDebate(edit((p) => [...p, banner('b2', 'Convergence')])).duplicated).toBe(1);
  });

  it('counts posts out of turn order', () => {
    const v = checkDebate(edit((p) => [p[0]!, p[2]!, p[1]!, ...p.slice(3)]));
    expect(v.reordered).toBe(1);
    expect(v.lost + v.duplicated).toBe(0);
    const run = checkRun([edit((p) => [p[0]!, p[2]!, p[1]!, ...p.slice(3)])], cleanGlobal(), 1);
    expect(run.ok).toBe(false);
    expect(renderReport(stats, run)).toMatch(/verdict: FAIL/);
  });

  it('counts a preview left behind, a stray post and a post under the wrong name', () => {
    const v = checkDebate(
      edit((p) => [...p, post('pv', 'Dee', 'half a sente …'), post('x', 'Dee', 'never committed')]),
    );
    expect(v.leftoverPreviews).toBe(1);
    expect(v.strayPosts).toBe(1);
    expect(
      checkDebate(edit((p) => p.map((x) => (x.id === 'p1' ? { ...x, author: 'Bo' } : x)))).misattributed,
    ).toBe(1);
  });

  it("checks each person's message: stored once, quoted to the models, in its place in the thread", () => {
    const person = (change: Partial<DebateEvidence['people'][number]>) =>
      checkDebate({ ...cleanDebate(), people: [{ ...cleanDebate().people[0]!, ...change }] });
    expect(person({ stored: 0 }).problems.join()).toMatch(/stored 0 time\(s\)/);
    expect(person({ stored: 2 }).problems.join()).toMatch(/stored 2 time\(s\)/);
    expect(person({ quoted: 0 }).problems.join()).toMatch(/never reached a prompt/);
    expect(person({ quoted: 0 }).humans).toBe('0/1');
    expect(checkDebate(cleanDebate()).humans).toBe('1/1');
    // Shown after the summary (turn 3) while stored as turn 2: the thread reads out of order.
    const late = checkDebate(
      edit((p) => {
        const h = p.find((x) => x.person)!;
        const rest = p.filter((x) => x !== h);
        const at = rest.findIndex((x) => x.id === 'p4');
        return [...rest.slice(0, at + 1), h, ...rest.slice(at + 1)];
      }),
    );
    expect(late.reordered).toBe(1);
    expect(late.problems.join()).toMatch(/stored as turn 2 shows after turn 3/);
    expect(checkDebate(edit((p) => p.filter((x) => !x.person))).problems.join()).toMatch(/not in the thread/);
    expect(checkRun([edit((p) => p.filter((x) => !x.person))], cleanGlobal(), 1).ok).toBe(false);
  });

  it('fails on orphan rows, missing people, a missing end banner, usage drift and an unfinished debate', () => {
    expect(checkDebate({ ...cleanDebate(), unsentRows: 2, trackedPreviews: 1 }).orphanRows).toBe(3);
    expect(checkDebate(edit((p) => p.filter((x) => x.id !== 'p7'))).lost).toBe(1);
    expect(checkDebate({ ...cleanDebate(), sums: { prompt: 11, completion: 20, cost: 0.5 } }).usageOk).toBe(
      false,
    );
    expect(checkRun([{ ...cleanDebate(), status: 'paused' }], cleanGlobal(), 1).ok).toBe(false);
    const g = cleanGlobal();
    expect(checkRun([cleanDebate()], { ...g, apiUsage: { ...g.apiUsage, output: 19 } }, 1).ok).toBe(false);
    expect(checkRun([cleanDebate()], { ...g, unfolded: 1 }, 1).ok).toBe(false);
    expect(checkRun([cleanDebate()], { ...g, heldUsd: 0.01 }, 1).ok).toBe(false);
    expect(checkRun([cleanDebate()], { ...g, crashes: 1 }, 1).ok).toBe(false);
    expect(checkRun([cleanDebate()], g, 2).ok).toBe(false);
  });
});

const stats = {
  platform: 'discord',
  database: 'Postgres',
  seed: 1,
  kills: 3,
  killsDuringStartup: 1,
  killsWhileDebating: 3,
  processes: 4,
  dbOutages: 1,
  backendsTerminated: 9,
  llmFaults: { http500: 1, stalls: 1 },
  platformFaults: { http500: 4, http429: 2 },
  humanMessages: 1,
  seconds: 60,
  load: '1.0 → 1.0',
};
