import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { createSecretBox, type SecretBox } from '../db/secrets/secret-box.ts';
import {
  RotationError,
  type RotationReport,
  rotateStoredSecrets,
  sealStoredSecrets,
} from '../db/secrets/stored-secrets.ts';
import type { Logger } from '../engine/log.ts';
import type { Config } from './config.ts';
import { ConfigError } from './config.ts';
import { RuntimeFailure, UsageError } from './errors.ts';

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

/**
 * `arena secrets rotate`: re-seals every stored secret under the configured key (ARENA_SECRET_KEY,
 * or DATA_DIR/secret.key, created when missing) from the old key (ARENA_OLD_SECRET_KEY or a file).
 * One transaction: every token is rewritten, or, when a token opens with neither key, none is.
 * Run it with every arena process stopped, then start them with the new key.
 */
export async function rotateSecrets(
  config: Pick<Config, 'ARENA_SECRET_KEY' | 'ARENA_OLD_SECRET_KEY' | 'DATA_DIR'>,
  db: Kysely<Database>,
  log: Logger,
  opts: { oldKeyFile?: string },
): Promise<RotationReport & { oldKeyId: string; newKeyId: string }> {
  if (opts.oldKeyFile && config.ARENA_OLD_SECRET_KEY) {
    throw new UsageError('give the old key once: ARENA_OLD_SECRET_KEY or --old-key-file, not both');
  }
  let oldText = config.ARENA_OLD_SECRET_KEY;
  if (opts.oldKeyFile) {
    try {
      oldText = (await readFile(opts.oldKeyFile, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(
        `--old-key-file: cannot read ${opts.oldKeyFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }
  if (!oldText) {
    throw new UsageError(
      'the old key is missing: set ARENA_OLD_SECRET_KEY or pass --old-key-file <path> (e.g. the moved DATA_DIR/secret.key)',
    );
  }
  let old: SecretBox;
  try {
    old = createSecretBox(oldText);
  } catch (error) {
    throw new UsageError(`the old key: ${(error as Error).message}`);
  }
  const next = createSecretBox(await resolveSecretKey(config, log));
  try {
    const report = await rotateStoredSecrets(db, { old, next });
    return { ...report, oldKeyId: old.keyId, newKeyId: next.keyId };
  } catch (error) {
    if (error instanceof RotationError) throw new RuntimeFailure(`secrets rotate: ${error.message}`);
    throw error;
  }
}
