#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx arena` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../app/cli.ts');
process.exitCode = await main(process.argv.slice(2));
