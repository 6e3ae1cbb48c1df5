#!/usr/bin/env node
// `npm run bench`: runs the TypeScript benchmark directly through tsx, like bin/arena.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../bench/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
