import { describe, expect, it } from 'vitest';
import { checkRun, type DebateEvidence } from '../../scripts/chaos/check.ts';
import { renderReport } from '../../scripts/chaos/report.ts';
import { runChaos } from '../../scripts/chaos/scenario.ts';
import { ARENA_BIN } from '../helpers/cli.ts';
import { TEST_DATABASE_URL } from '../helpers/db.ts';

if (!TEST_DATABASE_URL)
  console.warn('[skip] TEST_DATABASE_URL is not set: the chaos run needs Postgres (it cuts its connections)');

// `npm run chaos` at a small size, on Discord and Slack at once (one debate each, served by the same
// arena): real `arena start` children SIGKILLed, one database outage, model and webhook faults, a
// person's message per thread during the kills; the verdict must be clean. Then the same evidence,
// doctored, must fail: the checker sees a lost, a duplicated and a reordered post.
describe.runIf(TEST_DATABASE_URL)('the chaos run, small', () => {
  it('ends with nothing lost, duplicated, reordered or left behind, and fails on a doctored thread', async () => {
    const lines: string[] = [];
    const { stats, verdict, evidence } = await runChaos(
      {
        platform: ['discord', 'slack'],
        debates: 1,
        kills: 3,
        dbOutageMs: 4_000,
        databaseUrl: TEST_DATABASE_URL!,
        seed: 7,
        chunkDelayMs: 40,
        maxUpMs: 6_000,
        settleMs: 600_000,
        keep: false,
        verbose: false,
      },
      {
        log: (line) => lines.push(line),
        baseEnv: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
        // The run's compiled app, as the production image runs it: each of its `arena start`
        // processes starts on half the CPU of one compiling the sources through tsx.
        arenaBin: ARENA_BIN,
      },
    );
    const report = renderReport(stats, verdict);
    console.log(report);
    expect(stats.kills).toBe(3);
    expect(stats.dbOutages).toBe(1);
    expect(stats.backendsTerminated).toBeGreaterThan(0);
    expect(stats.humanMessages).toBe(2);
    expect(verdict.problems, `${lines.join('\n')}\n${report}`).toEqual([]);
    expect(verdict.debates.map((d) => d.status)).toEqual(['completed', 'completed']);
    expect(verdict.ok, report).toBe(true);
    expect(report).toMatch(/verdict: PASS/);

    // The same threads, doctored: each kind of damage is caught.
    const [first, ...rest] = evidence.debates as [DebateEvidence, ...DebateEvidence[]];
    const personaPosts = first.posts.filter((p) => p.byIdentity);
    expect(personaPosts.length).toBeGreaterThan(3);
    const [a, b] = [personaPosts[1]!, personaPosts[2]!];
    const doctored = (posts: DebateEvidence['posts']) =>
      checkRun([{ ...first, posts }, ...rest], evidence.global, 2);
    const lost = doctored(first.posts.filter((p) => p !== a));
    expect(lost.ok).toBe(false);
    expect(lost.debates[0]!.lost).toBe(1);
    const dup = doctored(first.posts.flatMap((p) => (p === a ? [p, { ...p, id: 'again' }] : [p])));
    expect(dup.ok).toBe(false);
    expect(dup.debates[0]!.duplicated).toBe(1);
    const swapped = doctored(first.posts.map((p) => (p === a ? b : p === b ? a : p)));
    expect(swapped.ok).toBe(false);
    expect(swapped.debates[0]!.reordered).toBe(1);
    expect(renderReport(stats, swapped)).toMatch(/verdict: FAIL/);
  }, 1_200_000);
});
