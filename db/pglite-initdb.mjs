// Creates a PGlite data directory (initdb) in a process of its own, then exits: initdb's memory
// never stays in the long-running arena. Arguments: the folder, then the start parameters as JSON.
import { setFlagsFromString } from 'node:v8';

// The baseline wasm compiler only, as in the arena (db/connect.ts): initdb then takes less CPU.
setFlagsFromString('--liftoff-only');
const { PGlite } = await import('@electric-sql/pglite');

const [dataDir, params] = process.argv.slice(2);
const pglite = new PGlite(dataDir, { startParams: JSON.parse(params ?? '[]') });
await pglite.waitReady;
await pglite.close();
