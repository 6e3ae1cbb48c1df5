import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeFailure, UsageError } from '../../app/errors.ts';
import { rotateSecrets } from '../../app/secrets.ts';
import { connectDatabase } from '../../db/connect.ts';
import { createSecretBox } from '../../db/secrets/secret-box.ts';
import { silentLogger } from '../../engine/log.ts';
import { cleanEnv, runArena } from '../helpers/cli.ts';
import { copyMigratedPgliteDir, createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';

const OLD_KEY = 'the-old-key-0123456789abcdef';
const NEW_KEY = 'the-new-key-0123456789abcdef';
const oldBox = createSecretBox(OLD_KEY);
const newBox = createSecretBox(NEW_KEY);
const TOKENS = Array.from({ length: 5 }, (_, i) => `webhook-token-${i}-${'x'.repeat(60)}`);

async function tokens(t: { db: TestDatabase['db'] }) {
  return t.db
    .selectFrom('chat_webhooks')
    .select(['channel_id', 'webhook_id', 'token'])
    .orderBy('channel_id')
    .execute();
}

describe.each(testDialects())('arena secrets rotate on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('re-seals every token under the new key, seals plaintext, skips claims, and is idempotent', async () => {
    await t.db.deleteFrom('chat_webhooks').execute();
    await t.db
      .insertInto('chat_webhooks')
      .values([
        ...TOKENS.slice(0, 4).map((tok, i) => ({
          platform: 'discord' as const,
          channel_id: `c${i}`,
          webhook_id: `w${i}`,
          token: oldBox.seal(tok),
        })),
        { platform: 'discord' as const, channel_id: 'c4', webhook_id: 'w4', token: TOKENS[4]! },
        { platform: 'discord' as const, channel_id: 'c5', webhook_id: 'claim:proc', token: '' },
      ])
      .execute();
    const config = { ARENA_SECRET_KEY: NEW_KEY, ARENA_OLD_SECRET_KEY: OLD_KEY, DATA_DIR: os.tmpdir() };
    const report = await rotateSecrets(config, t.db, silentLogger, {});
    expect(report).toMatchObject({ resealed: 4, sealed: 1, alreadyNew: 0 });
    expect(report.newKeyId).toBe(newBox.keyId);
    const rows = await tokens(t);
    expect(rows).toHaveLength(6);
    for (const [i, tok] of TOKENS.entries()) {
      const row = rows.find((r) => r.channel_id === `c${i}`)!;
      expect(row.token).not.toContain(tok);
      expect(newBox.open(row.token)).toBe(tok);
      expect(() => oldBox.open(row.token)).toThrow();
    }
    expect(rows.find((r) => r.channel_id === 'c5')!.token).toBe('');

    // Run twice (e.g. after a crash before the operator saw the output): nothing changes.
    const again = await rotateSecrets(config, t.db, silentLogger, {});
    expect(again).toMatchObject({ resealed: 0, sealed: 0, alreadyNew: 5 });
    expect(await tokens(t)).toEqual(rows);
  });

  it('changes nothing when one token opens with neither key, or the old key is wrong', async () => {
    await t.db.deleteFrom('chat_webhooks').execute();
    const stranger = createSecretBox('a-third-key-nobody-has-0123');
    await t.db
      .insertInto('chat_webhooks')
      .values([
        { platform: 'discord', channel_id: 'c0', webhook_id: 'w0', token: oldBox.seal(TOKENS[0]!) },
        { platform: 'discord', channel_id: 'c1', webhook_id: 'w1', token: oldBox.seal(TOKENS[1]!) },
        { platform: 'discord', channel_id: 'c2', webhook_id: 'w2', token: stranger.seal(TOKENS[2]!) },
      ])
      .execute();
    const before = await tokens(t);
    const config = { ARENA_SECRET_KEY: NEW_KEY, ARENA_OLD_SECRET_KEY: OLD_KEY, DATA_DIR: os.tmpdir() };
    const failed = rotateSecrets(config, t.db, silentLogger, {});
    await expect(failed).rejects.toBeInstanceOf(RuntimeFailure);
    const message = await failed.catch((e: Error) => e.message);
    expect(message).toMatch(/1 stored webhook token\(s\) open with neither.*nothing was changed/);
    expect(message).not.toContain(OLD_KEY);
    expect(message).not.toContain(NEW_KEY);
    expect(await tokens(t)).toEqual(before);

    await t.db.deleteFrom('chat_webhooks').where('channel_id', '=', 'c2').execute();
    const wrongOld = rotateSecrets(
      { ...config, ARENA_OLD_SECRET_KEY: 'not-the-old-key-0123456789' },
      t.db,
      silentLogger,
      {},
    );
    await expect(wrongOld).rejects.toThrow(/2 stored webhook token\(s\) open with neither/);
    expect(await tokens(t)).toEqual(before.slice(0, 2));

    await expect(
      rotateSecrets({ ...config, ARENA_OLD_SECRET_KEY: NEW_KEY }, t.db, silentLogger, {}),
    ).rejects.toThrow(/the same/);
    await expect(
      rotateSecrets({ ...config, ARENA_OLD_SECRET_KEY: undefined }, t.db, silentLogger, {}),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      rotateSecrets(config, t.db, silentLogger, { oldKeyFile: '/nonexistent/old.key' }),
    ).rejects.toThrow(/give the old key once/);
  });
});

describe('arena secrets rotate (the command, embedded database, generated key file)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-rotate-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('moves the key file aside, rotates from it to a new generated key, and the tokens still open', async () => {
    const keyFile = path.join(dir, 'secret.key');
    await writeFile(keyFile, `${OLD_KEY}\n`, { mode: 0o600 });
    await copyMigratedPgliteDir(path.join(dir, 'pglite'));
    const h = await connectDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
    try {
      await h.db
        .insertInto('chat_webhooks')
        .values({ platform: 'discord', channel_id: 'c0', webhook_id: 'w0', token: oldBox.seal(TOKENS[0]!) })
        .execute();
    } finally {
      await h.close();
    }
    await rename(keyFile, `${keyFile}.old`);
    const env = cleanEnv({ DATA_DIR: dir });
    const missing = await runArena(['secrets', 'rotate'], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/old key is missing/);

    const run = await runArena(['secrets', 'rotate', '--old-key-file', `${keyFile}.old`], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/1 re-sealed/);
    const newKey = (await readFile(keyFile, 'utf8')).trim();
    expect(newKey).not.toBe(OLD_KEY);
    expect(run.stdout + run.stderr).not.toContain(newKey);
    expect(run.stdout + run.stderr).not.toContain(OLD_KEY);
    const after = await connectDatabase({ pgliteDataDir: path.join(dir, 'pglite') });
    try {
      const row = await after.db.selectFrom('chat_webhooks').select('token').executeTakeFirstOrThrow();
      expect(createSecretBox(newKey).open(row.token)).toBe(TOKENS[0]);
    } finally {
      await after.close();
    }
  }, 120_000);
});
