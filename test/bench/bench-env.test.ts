import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, loadBenchEnv } from '../../bench/args.ts';
import { imageNodeFlags } from '../../bench/footprint.ts';

describe('bench environment (bench/args.ts)', () => {
  it('reads BENCH_DATABASE_URL and PATH, and an empty URL means none', () => {
    const env = loadBenchEnv({ BENCH_DATABASE_URL: 'postgres://u:p@db:5432/x', PATH: '/bin', OTHER: '1' });
    expect(env).toMatchObject({ postgresUrl: 'postgres://u:p@db:5432/x', path: '/bin' });
    // Children of the benchmark run this code again: they get the whole environment.
    expect(env.inherited.OTHER).toBe('1');
    expect(loadBenchEnv({ BENCH_DATABASE_URL: '' }).postgresUrl).toBeUndefined();
    expect(loadBenchEnv({}).path).toBe('/usr/bin:/bin');
  });

  it('refuses a BENCH_DATABASE_URL that is not a postgres:// URL, without printing it', () => {
    const bad = () => loadBenchEnv({ BENCH_DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(bad).toThrow(BenchUsageError);
    expect(bad).toThrow(/BENCH_DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(bad).not.toThrow(/hunter2/);
  });
});

describe('footprint bench', () => {
  it("starts `arena start` with the Dockerfile CMD's Node flags", () => {
    const flags = imageNodeFlags();
    expect(flags).toContain('--max-semi-space-size=8');
    expect(flags).toContain('--max-old-space-size=1024');
    expect(flags.every((f) => f.startsWith('--'))).toBe(true);
  });

  it('`npm start` runs node with the same flags as the image', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`exec node ${imageNodeFlags().join(' ')} bin/arena.js start`);
  });
});
