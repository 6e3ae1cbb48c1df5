import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { ArenaProcess } from './arena-process.ts';
import { databaseOutage, type FaultTargets, injectFaults, READY } from './faults.ts';
import type { ChaosOptions } from './options.ts';
import type { ChaosPlatform, ChaosThread } from './platform.ts';
import { sleep, until } from './timing.ts';

export interface KillLoopDeps {
  opts: ChaosOptions;
  faults: FaultTargets;
  db: Kysely<Database>;
  threads: readonly ChaosThread[];
  /** Starts the next `arena start`. */
  spawn(): ArenaProcess;
}

/**
 * `--kills` times: faults injected, the process left to live a random while — a third of the time
 * only through start-up, otherwise up to `--max-up-ms` after it is ready — and SIGKILLed. Halfway,
 * the database outage. Early on, at a random moment of a running process, a person writes into each
 * thread whose debate is still before planning. Resolves with the process still running, if any.
 */
export async function runKills(d: KillLoopDeps, first: ArenaProcess | null): Promise<ArenaProcess | null> {
  const { opts, faults } = d;
  const { stats, rand, log } = faults;
  const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));
  const outageAt = opts.dbOutageMs > 0 ? Math.max(1, Math.ceil(opts.kills / 2)) : -1;
  // Each thread gets its person's message at or after a random kill of the first fifth (debates
  // under way leave their first phases within a few kills).
  const talkFrom = d.threads.map(() => between(1, Math.max(1, Math.ceil(opts.kills / 5))));
  let child = first;
  for (let k = 1; k <= opts.kills; k++) {
    if (!child?.running()) child = d.spawn();
    injectFaults(faults);
    const due = k === outageAt ? [] : await talkable(d, (i) => talkFrom[i]! <= k);
    if (k === outageAt) {
      await databaseOutage(faults, child, opts.dbOutageMs);
    } else if (due.length > 0) {
      const up = between(0, opts.maxUpMs);
      const at = between(0, up);
      try {
        await waitConnected([...new Set(d.threads.map((t) => t.platform))], child);
        await sleep(at);
        await talk(d, due);
        log(`a person wrote into ${due.length} thread(s) before kill ${k}`);
      } catch (error) {
        log(`no one could write before this kill: ${(error as Error).message}`);
      }
      await sleep(up - at);
    } else if (rand() < 0.3) {
      // During start-up: migrations, reconciliation of threads, the gateway lease.
      await sleep(between(200, 3_000));
    } else {
      await child.waitFor(READY, 180_000).catch((e: Error) => log(`not ready before its kill: ${e.message}`));
      await sleep(between(0, opts.maxUpMs));
    }
    if (!child.seen(READY)) stats.killsDuringStartup++;
    if (await debating(d.db)) stats.killsWhileDebating++;
    await child.kill();
    stats.kills++;
    if (k % 5 === 0 || k === opts.kills) log(`${k}/${opts.kills} kills`);
    child = null;
  }
  return child;
}

/** Threads not written into yet (and chosen by `pick`) whose debate still has turns to answer. */
export async function talkable(
  d: Pick<KillLoopDeps, 'db' | 'threads'>,
  pick: (index: number) => boolean = () => true,
): Promise<ChaosThread[]> {
  const out: ChaosThread[] = [];
  for (const [i, t] of d.threads.entries()) {
    if (t.people.length > 0 || !pick(i)) continue;
    const debate = await d.db
      .selectFrom('chat_threads as c')
      .innerJoin('debate_sessions as s', 's.id', 'c.debate_id')
      .select(['s.status', 's.phase'])
      .where('c.platform', '=', t.platform.name)
      .where('c.thread_id', '=', t.threadId)
      .executeTakeFirst()
      .catch(() => undefined);
    // Before planning, so later turns still quote it (a paused debate quotes it once it resumes).
    if (debate && ['active', 'paused'].includes(debate.status) && debate.phase !== 'planning') out.push(t);
  }
  return out;
}

/** Until `child` is ready and holds every platform's connection (a message to no one is lost by design). */
export async function waitConnected(platforms: readonly ChaosPlatform[], child: ArenaProcess) {
  await child.waitFor(READY, 180_000);
  for (const p of platforms) {
    await child.waitFor(p.connectedLine, 180_000);
    await until(`${p.name} to be connected`, async () => p.connected(), 60_000);
  }
}

/** A person writes into each thread; waits (up to a minute) until the debate has stored it. */
export async function talk(d: Pick<KillLoopDeps, 'db' | 'faults'>, threads: readonly ChaosThread[]) {
  for (const t of threads) {
    const text = `Chaos check-in on ${t.platform.name}, thread ${t.threadId}: what would a small town pay to try this?`;
    const id = await t.platform.say(t.threadId, text);
    t.people.push({ id, text });
    d.faults.stats.humanMessages++;
  }
  await until(
    "people's messages to be stored",
    async () => {
      for (const t of threads) {
        const id = t.people.at(-1)!.id;
        const row = await d.db
          .selectFrom('debate_messages')
          .select('id')
          .where('source_id', 'like', `%:${id}`)
          .executeTakeFirst();
        if (!row) return false;
      }
      return true;
    },
    60_000,
  ).catch((e: Error) => d.faults.log(`${e.message}: the checker will say which`));
}

async function debating(db: Kysely<Database>): Promise<boolean> {
  const open = await db
    .selectFrom('debate_sessions')
    .select('id')
    .where('status', 'in', ['active', 'paused'])
    .executeTakeFirst()
    .catch(() => undefined);
  return open !== undefined;
}
