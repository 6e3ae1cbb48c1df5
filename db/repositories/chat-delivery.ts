import { type Kysely, sql } from 'kysely';
import type { ChatPlatformName, Database } from '../schema.ts';
import type { ThreadBinding } from './chat.ts';
import { toBinding } from './chat.ts';

// The cursor and streaming previews delivery keeps per thread (the log itself: debate-log.ts).

export interface BindingCursor {
  cursorTurn: number;
  lastBanner: string | null;
}

/** Locks a binding's cursor for the rest of the transaction: one projection per thread at a time. */
export async function lockBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
): Promise<BindingCursor | null> {
  const row = await trx
    .selectFrom('chat_threads')
    .select(['cursor_turn', 'last_banner'])
    .where('id', '=', bindingId)
    .forUpdate()
    .executeTakeFirst();
  return row ? { cursorTurn: row.cursor_turn, lastBanner: row.last_banner } : null;
}

export async function saveBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
  c: BindingCursor,
): Promise<void> {
  await trx
    .updateTable('chat_threads')
    .set({ cursor_turn: c.cursorTurn, last_banner: c.lastBanner })
    .where('id', '=', bindingId)
    .execute();
}

/**
 * Bindings with something to do: a debate still running (previews, banners), committed messages
 * past the cursor, undelivered posts, previews left on screen, or a finished debate without its end
 * notice (e.g. one that completed while the process was down).
 */
export async function bindingsWithWork(
  db: Kysely<Database>,
  platform: ChatPlatformName,
): Promise<ThreadBinding[]> {
  const rows = await db
    .selectFrom('chat_threads as t')
    .innerJoin('debate_sessions as s', 's.id', 't.debate_id')
    .selectAll('t')
    .where('t.platform', '=', platform)
    .where((eb) =>
      eb.or([
        eb('s.status', 'in', ['active', 'paused']),
        eb.exists(
          eb
            .selectFrom('debate_messages as m')
            .select(sql`1`.as('one'))
            .whereRef('m.session_id', '=', 't.debate_id')
            .whereRef('m.turn_index', '>', 't.cursor_turn'),
        ),
        eb.exists(
          eb
            .selectFrom('chat_outbox as o')
            .select(sql`1`.as('one'))
            .whereRef('o.thread_binding_id', '=', 't.id')
            .where('o.status', '=', 'pending'),
        ),
        eb.exists(
          eb
            .selectFrom('chat_previews as p')
            .select(sql`1`.as('one'))
            .whereRef('p.thread_binding_id', '=', 't.id'),
        ),
        eb.not(
          eb.exists(
            eb
              .selectFrom('chat_outbox as o')
              .select(sql`1`.as('one'))
              .whereRef('o.thread_binding_id', '=', 't.id')
              .where('o.dedup_key', '=', 'end'),
          ),
        ),
      ]),
    )
    .orderBy('t.created_at')
    .execute();
  return rows.map(toBinding);
}

// ── Streaming previews ──────────────────────────────────────────────────────────────────────────

export interface TrackedPreview {
  turnIndex: number;
  remoteId: string;
  byIdentity: boolean;
}

export async function trackPreview(
  db: Kysely<Database>,
  bindingId: string,
  p: TrackedPreview,
): Promise<void> {
  await db
    .insertInto('chat_previews')
    .values({
      thread_binding_id: bindingId,
      turn_index: p.turnIndex,
      remote_id: p.remoteId,
      by_identity: p.byIdentity,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function untrackPreview(
  db: Kysely<Database>,
  bindingId: string,
  remoteId: string,
): Promise<void> {
  await db
    .deleteFrom('chat_previews')
    .where('thread_binding_id', '=', bindingId)
    .where('remote_id', '=', remoteId)
    .execute();
}

export async function listPreviews(db: Kysely<Database>, bindingId: string): Promise<TrackedPreview[]> {
  const rows = await db
    .selectFrom('chat_previews')
    .select(['turn_index', 'remote_id', 'by_identity'])
    .where('thread_binding_id', '=', bindingId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ turnIndex: r.turn_index, remoteId: r.remote_id, byIdentity: r.by_identity }));
}
