import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder laid out like the production image: bin/arena.js beside a compiled dist/ (see below). */
    arenaBuild: string;
  }
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// What the app runs from (as scripts/build.js compiles it), and the test fixtures child processes run.
const SOURCES = ['app', 'engine', 'personas', 'db', 'bot', 'dashboard', 'test'];

/**
 * The child processes of the tests (`arena` commands, the crash tests' children) run compiled
 * JavaScript, as the production image does, instead of each compiling the app's TypeScript again
 * through tsx's loader as it starts: an `arena debates list` on PGlite took ~5.8 s of CPU through tsx
 * and ~2.9 s compiled (docs/benchmarks.md). Compiled from the sources at every run, so never stale;
 * the tests themselves and `npm start` (test/app/npm-start-signal.test.ts) still run the sources.
 */
export async function compiledArena(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'arena-test-build-'));
  try {
    await Promise.all(SOURCES.map((source) => compileTree(source, path.join(dir, 'dist'))));
    await mkdir(path.join(dir, 'bin'));
    await copyFile(path.join(REPO_ROOT, 'bin/arena.js'), path.join(dir, 'bin/arena.js'));
    // The root's package.json for module resolution, and dist's for the version the app imports (tsc
    // emits it there too).
    await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
    await copyFile(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'dist/package.json'));
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  project.provide('arenaBuild', dir);
  return () => rm(dir, { recursive: true, force: true });
}

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  rewriteRelativeImportExtensions: true,
};

/** Each TypeScript file of `source` compiled on its own (test files left out), other files copied. */
async function compileTree(source: string, out: string): Promise<void> {
  const entries = await readdir(path.join(REPO_ROOT, source), { recursive: true, withFileTypes: true });
  await Promise.all(
    entries
      .filter((e) => e.isFile() && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
      .map(async (e) => {
        const from = path.join(e.parentPath, e.name);
        const to = path.join(out, path.relative(REPO_ROOT, from));
        await mkdir(path.dirname(to), { recursive: true });
        if (!e.name.endsWith('.ts')) return copyFile(from, to);
        const { outputText } = ts.transpileModule(await readFile(from, 'utf8'), {
          compilerOptions: OPTIONS,
          fileName: from,
        });
        await writeFile(to.replace(/\.ts$/, '.js'), outputText);
      }),
  );
}
