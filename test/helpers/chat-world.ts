import { afterAll, beforeAll } from 'vitest';
import type { DialectName } from '../../db/connect.ts';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { smallCast } from '../discord/arena-world.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface ChatWorld<E> {
  t: TestDatabase;
  personas: Persona[];
  emu: E;
  /** Runs `fn` after the block's tests, before the emulator and database close; the last added runs first. */
  cleanup(fn: () => unknown): void;
}

/**
 * For one describe block on `dialect`: a fresh migrated database, the small cast and a platform
 * emulator, ready before its tests and closed after them (with what they handed to `cleanup`).
 */
export function chatWorld<E extends { close(): Promise<void> }>(
  dialect: DialectName,
  startEmulator: () => Promise<E>,
): ChatWorld<E> {
  const cleanups: Array<() => unknown> = [];
  const w = { cleanup: (fn: () => unknown) => void cleanups.push(fn) } as ChatWorld<E>;
  beforeAll(async () => {
    w.t = await createTestDatabase(dialect);
    w.personas = smallCast(await builtinCatalog());
    w.emu = await startEmulator();
  }, 180_000);
  afterAll(async () => {
    for (const fn of cleanups.reverse()) await fn();
    await w.emu?.close();
    await w.t?.dispose();
  });
  return w;
}
