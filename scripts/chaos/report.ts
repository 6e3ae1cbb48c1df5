import type { ChaosVerdict } from './check.ts';

/** What the run did to the arena, counted as it happened. */
export interface ChaosStats {
  platform: string;
  database: string;
  seed: number;
  kills: number;
  /** Kills that landed before the process had printed its dashboard address (start-up). */
  killsDuringStartup: number;
  /** Kills that landed while a debate was still running. */
  killsWhileDebating: number;
  processes: number;
  dbOutages: number;
  backendsTerminated: number;
  llmFaults: { http500: number; stalls: number };
  platformFaults: { http500: number; http429: number };
  humanMessages: number;
  seconds: number;
  load: string;
}

/** A Markdown table per debate, then the totals and the verdict. */
export function renderReport(stats: ChaosStats, verdict: ChaosVerdict): string {
  const lines: string[] = [];
  lines.push(
    `chaos run on ${stats.platform} (${stats.database}), seed ${stats.seed}: ${stats.seconds} s, load average ${stats.load}`,
  );
  lines.push(
    `${stats.kills} SIGKILLs (${stats.killsDuringStartup} during start-up, ${stats.killsWhileDebating} while debating) over ${stats.processes} arena processes; ` +
      `${stats.dbOutages} database outage(s) (${stats.backendsTerminated} backends terminated); ` +
      `model faults: ${stats.llmFaults.http500} × 500, ${stats.llmFaults.stalls} stalls; ` +
      `platform faults: ${stats.platformFaults.http500} × 500, ${stats.platformFaults.http429} × 429; ` +
      `${stats.humanMessages} people's messages`,
  );
  lines.push('');
  lines.push(
    '| debate | status | messages | delivered | lost | duplicated | reordered | wrong author | previews left | stray posts | orphan rows | people | usage = messages |',
  );
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const d of verdict.debates) {
    lines.push(
      `| ${d.title.replace(/\|/g, '/').slice(0, 40)} | ${d.status} | ${d.messages} | ${d.delivered} | ${d.lost} | ${d.duplicated} | ${d.reordered} | ${d.misattributed} | ${d.leftoverPreviews} | ${d.strayPosts} | ${d.orphanRows} | ${d.humans} | ${d.usageOk ? 'yes' : 'NO'} |`,
    );
  }
  const sum = (f: (d: ChaosVerdict['debates'][number]) => number) =>
    verdict.debates.reduce((n, d) => n + f(d), 0);
  lines.push(
    `| **total** | | ${sum((d) => d.messages)} | ${sum((d) => d.delivered)} | ${sum((d) => d.lost)} | ${sum((d) => d.duplicated)} | ${sum((d) => d.reordered)} | ${sum((d) => d.misattributed)} | ${sum((d) => d.leftoverPreviews)} | ${sum((d) => d.strayPosts)} | ${sum((d) => d.orphanRows)} | | |`,
  );
  lines.push('');
  const problems = [
    ...verdict.problems,
    ...verdict.debates.flatMap((d) => d.problems.map((p) => `${d.title}: ${p}`)),
  ];
  for (const p of problems) lines.push(`- ${p}`);
  lines.push(
    verdict.ok
      ? 'verdict: PASS — nothing lost, duplicated, reordered or left behind'
      : `verdict: FAIL — ${problems.length} problem(s)`,
  );
  return `${lines.join('\n')}\n`;
}
