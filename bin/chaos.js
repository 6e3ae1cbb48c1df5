#!/usr/bin/env node
// `npm run chaos`: the crash-and-outage scenario (scripts/chaos/), run through tsx like bin/bench.js.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/chaos/main.ts');
let code = 1;
try {
  code = await main(process.argv.slice(2), process.env, (text) => process.stdout.write(text));
} catch (error) {
  process.stderr.write(`chaos: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}
// Exit once the report is written: an emulator or driver handle left open must not keep a finished
// run (or one that failed half-way) alive.
process.stdout.write('', () => process.exit(code));
