#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx arena` needs no build step.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

// Settings from ./.env, if present; variables already in the environment win.
if (existsSync('.env')) {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    process.stderr.write(`arena: .env: ${error instanceof Error ? error.message : error}\n`);
    process.exit(2);
  }
}

register();
const { main } = await import('../app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
