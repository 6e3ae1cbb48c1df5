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
