import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Child processes (`arena` commands, crash-test children) and whole debates over an emulator.
const SLOW = /\b(spawn|spawnArena|runArena|startChild|createChildDatabase|startTestApp)\(/;

/**
 * Starts the files that take longest first, so that the run does not end on one worker finishing a
 * long file while the other idles. vitest orders by the durations of a previous run when it has them
 * (node_modules/.vite); without them (a fresh clone, CI) it would start the largest files first, and
 * the slowest files are small ones that start child processes: those go first, then end-to-end files.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const known = (f: TestSpecification) =>
      this.ctx.cache.getFileTestResults(`${f.project.name}:${relative(this.ctx.config.root, f.moduleId)}`);
    if (sorted.every(known)) return sorted;
    const weight = (f: TestSpecification) =>
      (SLOW.test(readFileSync(f.moduleId, 'utf8')) ? 2 : 0) + (f.moduleId.endsWith('.e2e.test.ts') ? 1 : 0);
    const weights = new Map(sorted.map((f) => [f, weight(f)]));
    return sorted.sort((a, b) => weights.get(b)! - weights.get(a)!);
  }
}
