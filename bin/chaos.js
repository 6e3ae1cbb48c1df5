#!/usr/bin/env node
// `npm run chaos`: the crash-and-outage scenario (scripts/chaos/), run through tsx like bin/bench.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/chaos/main.ts');
try {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => process.stdout.write(text));
} catch (error) {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
