#!/usr/bin/env node
// `npm run build`: compiles the app to dist/ with tsc (imports rewritten from .ts to .js) and copies
// the files the code reads at run time (persona catalog, dashboard page, default feeds) beside it.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const SOURCES = ['app', 'engine', 'personas', 'db', 'bot', 'dashboard'];

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

let copied = 0;
for (const dir of SOURCES) {
  for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const from = path.join(entry.parentPath, entry.name);
    cpSync(from, path.join(dist, path.relative(root, from)));
    copied++;
  }
}
process.stdout.write(`build: dist/ compiled, ${copied} asset file(s) copied\n`);
