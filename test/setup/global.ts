import type { TestProject } from 'vitest/node';
import { compiledArena } from './compiled-arena.ts';
import { migratedTemplates } from './migrated-templates.ts';

/** Once per test run, side by side: the migrated database templates and the compiled app. */
export default async function setup(project: TestProject) {
  const made = await Promise.allSettled([migratedTemplates(project), compiledArena(project)]);
  const teardown = async () => {
    for (const m of made) if (m.status === 'fulfilled') await m.value();
  };
  const failed = made.find((m) => m.status === 'rejected');
  if (failed) {
    await teardown();
    throw failed.reason;
  }
  return teardown;
}
