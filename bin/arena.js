#!/usr/bin/env node
// A checkout runs its TypeScript sources through tsx (no build step, and a dist/ left from an
// earlier build never shadows edited sources); the production image ships only the compiled dist/.
import { existsSync } from 'node:fs';

// Settings from ./.env, if present; variables already in the environment win.
if (existsSync('.env')) {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    process.stderr.write(`arena: .env: ${error instanceof Error ? error.message : error}\n`);
    process.exit(2);
  }
}

let cli;
if (existsSync(new URL('../app/cli.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../app/cli.ts');
} else {
  cli = await import('../dist/app/cli.js');
}
process.exitCode = await cli.main(process.argv.slice(2));
