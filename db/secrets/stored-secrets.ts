import type { Kysely } from 'kysely';
import { WEBHOOK_CLAIM_PREFIX } from '../repositories/chat.ts';
import type { Database } from '../schema.ts';
import type { SecretBox } from './secret-box.ts';

export interface StoredSecretsReport {
  /** Plaintext tokens (written before encryption at rest) sealed now, in place. */
  sealed: number;
  /** Sealed tokens this key opens. */
  readable: number;
  /** Sealed tokens this key does not open: written with another key, or altered. */
  unreadable: number;
}

/**
 * The data half of encryption at rest, run before the bot uses stored webhooks: seals every
 * plaintext token in place (a row changed meanwhile is left to the next run; no row is deleted) and
 * counts the sealed ones this key cannot open. Idempotent.
 */
export async function sealStoredSecrets(db: Kysely<Database>, box: SecretBox): Promise<StoredSecretsReport> {
  const rows = await db
    .selectFrom('chat_webhooks')
    .select(['platform', 'channel_id', 'webhook_id', 'token'])
    .where('webhook_id', 'not like', `${WEBHOOK_CLAIM_PREFIX}%`)
    .execute();
  const report: StoredSecretsReport = { sealed: 0, readable: 0, unreadable: 0 };
  for (const row of rows) {
    if (box.isSealed(row.token)) {
      try {
        box.open(row.token);
        report.readable += 1;
      } catch {
        report.unreadable += 1;
      }
      continue;
    }
    const res = await db
      .updateTable('chat_webhooks')
      .set({ token: box.seal(row.token) })
      .where('platform', '=', row.platform)
      .where('channel_id', '=', row.channel_id)
      .where('webhook_id', '=', row.webhook_id)
      .where('token', '=', row.token)
      .executeTakeFirst();
    report.sealed += Number(res.numUpdatedRows);
  }
  return report;
}

export interface RotationReport {
  /** Tokens sealed with the old key, now sealed with the new one. */
  resealed: number;
  /** Tokens already sealed with the new key (a rotation run twice), left as they are. */
  alreadyNew: number;
  /** Plaintext tokens (from before encryption at rest), sealed with the new key. */
  sealed: number;
}

export class RotationError extends Error {
  override name = 'RotationError';
}

/**
 * Re-seals every stored secret under `next`, in one transaction with the rows locked: either every
 * token is rewritten or none is. A token that neither key opens aborts the whole rotation (nothing
 * changes), so no secret is ever lost to a typo in the old key. Idempotent: tokens already sealed
 * with `next` are counted and left alone.
 */
export async function rotateStoredSecrets(
  db: Kysely<Database>,
  keys: { old: SecretBox; next: SecretBox },
): Promise<RotationReport> {
  if (keys.old.keyId === keys.next.keyId) throw new RotationError('the old and the new key are the same');
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('chat_webhooks')
      .select(['platform', 'channel_id', 'webhook_id', 'token'])
      .where('webhook_id', 'not like', `${WEBHOOK_CLAIM_PREFIX}%`)
      .orderBy('platform')
      .orderBy('channel_id')
      .forUpdate()
      .execute();
    const report: RotationReport = { resealed: 0, alreadyNew: 0, sealed: 0 };
    const writes: Array<{ row: (typeof rows)[number]; token: string }> = [];
    let unreadable = 0;
    for (const row of rows) {
      if (!keys.next.isSealed(row.token)) {
        writes.push({ row, token: keys.next.seal(row.token) });
        report.sealed += 1;
        continue;
      }
      const plain = tryOpen(keys.old, row.token);
      if (plain !== null) {
        writes.push({ row, token: keys.next.seal(plain) });
        report.resealed += 1;
      } else if (tryOpen(keys.next, row.token) !== null) {
        report.alreadyNew += 1;
      } else {
        unreadable += 1;
      }
    }
    if (unreadable > 0) {
      throw new RotationError(
        `${unreadable} stored webhook token(s) open with neither the old key (${keys.old.keyId}) nor the new one ` +
          `(${keys.next.keyId}); nothing was changed`,
      );
    }
    for (const { row, token } of writes) {
      const res = await trx
        .updateTable('chat_webhooks')
        .set({ token })
        .where('platform', '=', row.platform)
        .where('channel_id', '=', row.channel_id)
        .where('webhook_id', '=', row.webhook_id)
        .where('token', '=', row.token)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) {
        throw new RotationError(
          'a stored webhook token changed during the rotation; nothing was changed, run it again',
        );
      }
    }
    return report;
  });
}

function tryOpen(box: SecretBox, stored: string): string | null {
  try {
    return box.open(stored);
  } catch {
    return null;
  }
}
