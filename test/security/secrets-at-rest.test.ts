import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../app/config.ts';
import { openSecrets, resolveSecretKey } from '../../app/secrets.ts';
import { getWebhook } from '../../db/repositories/chat.ts';
import { createSecretBox, SecretBoxError } from '../../db/secrets/secret-box.ts';
import { silentLogger } from '../../engine/log.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { testSecrets } from '../helpers/secrets.ts';

const TOKEN_A = 'legacy-plaintext-webhook-token-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const TOKEN_B = 'legacy-plaintext-webhook-token-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

describe('secret box (AES-256-GCM)', () => {
  it('seals with a fresh IV each time and opens only with its own key', () => {
    const a = testSecrets.seal('hello');
    const b = testSecrets.seal('hello');
    expect(a).not.toBe(b);
    expect(a).not.toContain('hello');
    expect(testSecrets.open(a)).toBe('hello');
    const other = createSecretBox('another-key-of-sufficient-length');
    expect(() => other.open(a)).toThrow(SecretBoxError);
    const tampered = `${a.slice(0, -2)}${a.endsWith('A') ? 'B' : 'A'}${a.slice(-1)}`;
    expect(() => testSecrets.open(tampered)).toThrow(SecretBoxError);
    expect(() => createSecretBox('short')).toThrow(/at least 16 characters/);
  });

  it('property: any text round-trips; any stored garbage is a SecretBoxError, never a crash', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        expect(testSecrets.open(testSecrets.seal(s))).toBe(s);
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (junk) => {
        const stored = fc.sample(fc.constantFrom('', 'enc:v1:', 'enc:v1:AAAA:'), 1)[0] + junk;
        try {
          testSecrets.open(stored);
        } catch (e) {
          expect(e).toBeInstanceOf(SecretBoxError);
        }
      }),
    );
  });
});

describe('the secret key', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arena-secret-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is ARENA_SECRET_KEY when set, else a 0600 file created once in DATA_DIR', async () => {
    expect(
      await resolveSecretKey({ ARENA_SECRET_KEY: 'from-the-environment!', DATA_DIR: dir }, silentLogger),
    ).toBe('from-the-environment!');
    const first = await resolveSecretKey({ ARENA_SECRET_KEY: undefined, DATA_DIR: dir }, silentLogger);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect((await stat(path.join(dir, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect(await resolveSecretKey({ ARENA_SECRET_KEY: undefined, DATA_DIR: dir }, silentLogger)).toBe(first);
  });
});

describe.each(testDialects())('stored webhook tokens at rest on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  it('encrypts tokens stored in plaintext without losing them, and refuses a wrong key clearly', async () => {
    await t.db
      .insertInto('chat_webhooks')
      .values([
        { platform: 'discord', channel_id: 'c1', webhook_id: 'w1', token: TOKEN_A },
        { platform: 'discord', channel_id: 'c2', webhook_id: 'w2', token: TOKEN_B },
        { platform: 'discord', channel_id: 'c3', webhook_id: 'claim:proc', token: '' },
      ])
      .execute();
    const config = { ARENA_SECRET_KEY: 'the-right-key-0123456789', DATA_DIR: os.tmpdir() };
    const box = await openSecrets(config, t.db, silentLogger);

    const a = (await getWebhook(t.db, 'discord', 'c1'))!;
    const b = (await getWebhook(t.db, 'discord', 'c2'))!;
    expect(a.token).not.toContain(TOKEN_A);
    expect(box.open(a.token)).toBe(TOKEN_A);
    expect(box.open(b.token)).toBe(TOKEN_B);
    expect((await getWebhook(t.db, 'discord', 'c3'))!.token).toBe(''); // a claim is not a secret
    const count = await t.db
      .selectFrom('chat_webhooks')
      .select((e) => e.fn.countAll().as('n'))
      .executeTakeFirst();
    expect(Number(count!.n)).toBe(3);

    // Idempotent: a second start seals nothing twice.
    await openSecrets(config, t.db, silentLogger);
    expect((await getWebhook(t.db, 'discord', 'c1'))!.token).toBe(a.token);

    const wrong = openSecrets(
      { ...config, ARENA_SECRET_KEY: 'some-other-key-0123456789' },
      t.db,
      silentLogger,
    );
    await expect(wrong).rejects.toBeInstanceOf(ConfigError);
    const message = await wrong.catch((e: Error) => e.message);
    expect(message).toMatch(/^ARENA_SECRET_KEY: .*does not open 2 stored webhook token/);
    expect(message).not.toContain('some-other-key');
    expect(message).not.toContain(TOKEN_A.slice(0, 20));
    // Nothing was changed by the refused start.
    expect(box.open((await getWebhook(t.db, 'discord', 'c1'))!.token)).toBe(TOKEN_A);
  });
});
