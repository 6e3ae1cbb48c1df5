import type { Command } from 'commander';
import { createConsoleLogger } from '../../engine/log.ts';
import type { Config } from '../config.ts';
import { rotateSecrets } from '../secrets.ts';
import { openDatabase } from './db.ts';

export function registerSecretsCommands(program: Command, deps: { config: () => Config }): void {
  program
    .command('secrets')
    .description('stored secrets (webhook tokens sealed at rest)')
    .command('rotate')
    .description(
      're-seal every stored secret under the current key (ARENA_SECRET_KEY or DATA_DIR/secret.key) from the old one, in one transaction',
    )
    .option('--old-key-file <path>', 'file holding the old key (else ARENA_OLD_SECRET_KEY)')
    .action(async (opts: { oldKeyFile?: string }) => {
      const config = deps.config();
      const log = createConsoleLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
      const handle = await openDatabase(config);
      try {
        const r = await rotateSecrets(config, handle.db, log, opts);
        console.log(
          `rotated stored secrets from key ${r.oldKeyId} to key ${r.newKeyId}: ${r.resealed} re-sealed, ` +
            `${r.sealed} plaintext sealed, ${r.alreadyNew} already under the new key`,
        );
      } finally {
        await handle.close();
      }
    });
}
