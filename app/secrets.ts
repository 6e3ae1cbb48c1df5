import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createSecretBox, type SecretBox } from '../db/secrets/secret-box.ts';
import { sealStoredSecrets } from '../db/secrets/stored-secrets.ts';
import type { Logger } from '../engine/log.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key that seals stored secrets: ARENA_SECRET_KEY, or else a random key kept in
 * `DATA_DIR/secret.key` (created once, mode 0600). Several processes sharing one Postgres must
 * share the key: set ARENA_SECRET_KEY on all of them.
 */
export async function resolveSecretKey(
  config: Pick<Config, 'ARENA_SECRET_KEY' | 'DATA_DIR'>,
  log: Logger,
): Promise<string> {
  if (config.ARENA_SECRET_KEY) return config.ARENA_SECRET_KEY;
  const file = path.join(config.DATA_DIR, SECRET_KEY_FILE);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    // `wx`: two processes starting together never overwrite each other's key.
    await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
    log.info(`created a key for stored secrets in ${file} (set ARENA_SECRET_KEY to share one key)`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return (await readFile(file, 'utf8')).trim();
    throw error;
  }
}

/**
 * Opens the secret box for a process that uses stored secrets: seals plaintext webhook tokens left
 * by an older version, and refuses (ConfigError naming ARENA_SECRET_KEY) when stored tokens were
 * sealed with another key, instead of failing on every post later.
 */
export async function openSecrets(
  config: Pick<Config, 'ARENA_SECRET_KEY' | 'DATA_DIR'>,
  db: Kysely<Database>,
  log: Logger,
): Promise<SecretBox> {
  const box = createSecretBox(await resolveSecretKey(config, log));
  const report = await sealStoredSecrets(db, box);
  if (report.sealed > 0) log.info(`encrypted ${report.sealed} stored webhook token(s) at rest`);
  if (report.unreadable > 0) {
    const where = config.ARENA_SECRET_KEY
      ? 'ARENA_SECRET_KEY'
      : `the key in ${path.join(config.DATA_DIR, SECRET_KEY_FILE)}`;
    throw new ConfigError(
      `ARENA_SECRET_KEY: ${where} (key ${box.keyId}) does not open ${report.unreadable} stored webhook token(s); ` +
        'set the key they were written with (every process sharing the database needs the same key), ' +
        'or delete the rows of chat_webhooks so the bot fetches the tokens from Discord again',
    );
  }
  return box;
}
