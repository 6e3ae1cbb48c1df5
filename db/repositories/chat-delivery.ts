import { type Kysely, sql } from 'kysely';
import type { ChatPlatformName, Database } from '../schema.ts';
import type { ThreadBinding } from './chat.ts';
import { toBinding } from './chat.ts';

// The cursor and streaming previews delivery keeps per thread (the log itself: debate-log.ts).

export interface BindingCursor {
  cursorTurn: number;
  lastBanner: string | null;
  /** Commit number of the last debate notice taken into the outbox (-1: none yet). */
  noticeSeq: number;
}

/** Locks a binding's cursor for the rest of the transaction: one projection per thread at a time. */
export async function lockBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
): Promise<BindingCursor | null> {
  const row = await trx
    .selectFrom('chat_threads')
    .select(['cursor_turn', 'last_banner', 'notice_seq'])
    .where('id', '=', bindingId)
    .forUpdate()
    .executeTakeFirst();
  return row ? { cursorTurn: row.cursor_turn, lastBanner: row.last_banner, noticeSeq: row.notice_seq } : null;
}

export async function saveBindingCursor(
  trx: Kysely<Database>,
  bindingId: string,
  c: BindingCursor,
): Promise<void> {
  await trx
    .updateTable('chat_threads')
    .set({ cursor_turn: c.cursorTurn, last_banner: c.lastBanner, notice_seq: c.noticeSeq })
    .where('id', '=', bindingId)
    .execute();
}

/**
 * Bindings with something to do: a debate still running (previews, banners), committed messages
 * past the cursor, undelivered posts, previews left on screen, or a finished debate without its end
 * notice (e.g. one that completed while the process was down).
 */
function withWork(db: Kysely<Database>, platform: ChatPlatformName) {
  return db
    .selectFrom('chat_threads as t')
    .innerJoin('debate_sessions as s', 's.id', 't.debate_id')
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
    );
}

export async function bindingsWithWork(
  db: Kysely<Database>,
  platform: ChatPlatformName,
): Promise<ThreadBinding[]> {
  const rows = await withWork(db, platform).selectAll('t').orderBy('t.created_at').execute();
  return rows.map(toBinding);
}

// ── Delivery ownership ──────────────────────────────────────────────────────────────────────────
// One process at a time delivers a thread: it projects the log, posts the outbox rows in order and
// streams the preview. The lease lives on the binding (`delivery_owner`, `delivery_until`, on the
// database clock so processes on different hosts agree); a holder that dies is replaced once its
// lease runs out, and the new owner reconciles the thread as after a restart.

const leaseEnd = (leaseMs: number) => sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`;

/**
 * Takes every free thread with work, up to `limit`: rows another process is claiming right now
 * are skipped (`FOR UPDATE SKIP LOCKED`), so processes sweeping at once split the threads instead
 * of queueing on each other. `goneOwners` are holders known to be dead (see liveDeliveryHolders):
 * their threads are taken at once, whatever their lease says. Returns the threads this owner
 * holds now (including ones it held).
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  owner: string,
  opts: { leaseMs: number; limit: number; goneOwners?: readonly string[] },
): Promise<ThreadBinding[]> {
  const gone = opts.goneOwners ?? [];
  const free = withWork(db, platform)
    .select('t.id')
    .where((eb) =>
      eb.or([
        eb('t.delivery_owner', 'is', null),
        eb('t.delivery_owner', '=', owner),
        eb('t.delivery_until', '<', sql<Date>`now()`),
        ...(gone.length > 0 ? [eb('t.delivery_owner', 'in', gone)] : []),
      ]),
    )
    .orderBy('t.created_at')
    .limit(opts.limit)
    .forUpdate('t')
    .skipLocked();
  const rows = await db
    .updateTable('chat_threads')
    .set({ delivery_owner: owner, delivery_until: leaseEnd(opts.leaseMs) })
    .where('id', 'in', free)
    .returningAll()
    .execute();
  return rows.sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map(toBinding);
}

/** The other processes whose delivery leases on this platform's threads have not run out. */
export async function liveDeliveryHolders(
  db: Kysely<Database>,
  platform: ChatPlatformName,
  owner: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('chat_threads')
    .select('delivery_owner')
    .distinct()
    .where('platform', '=', platform)
    .where('delivery_owner', 'is not', null)
    .where('delivery_owner', '!=', owner)
    .where('delivery_until', '>=', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.delivery_owner!);
}

export type DeliveryClaim = { held: true } | { held: false; owner: string | null; until: Date | null };

/**
 * Takes or extends one thread's lease: free, expired or already ours. A holder extends it with the
 * same call, and learns it lost the thread when this says `held: false`.
 */
export async function claimDelivery(
  db: Kysely<Database>,
  bindingId: string,
  owner: string,
  leaseMs: number,
): Promise<DeliveryClaim> {
  const row = await db
    .updateTable('chat_threads')
    .set({ delivery_owner: owner, delivery_until: leaseEnd(leaseMs) })
    .where('id', '=', bindingId)
    .where((eb) =>
      eb.or([
        eb('delivery_owner', 'is', null),
        eb('delivery_owner', '=', owner),
        eb('delivery_until', '<', sql<Date>`now()`),
      ]),
    )
    .returning('id')
    .executeTakeFirst();
  if (row) return { held: true };
  const other = await db
    .selectFrom('chat_threads')
    .select(['delivery_owner', 'delivery_until'])
    .where('id', '=', bindingId)
    .executeTakeFirst();
  return { held: false, owner: other?.delivery_owner ?? null, until: other?.delivery_until ?? null };
}

/** Takes a thread from an owner known to be gone (its process was killed), whatever its lease says. */
export async function takeOverDelivery(
  db: Kysely<Database>,
  bindingId: string,
  owner: string,
  goneOwner: string,
  leaseMs: number,
): Promise<boolean> {
  const row = await db
    .updateTable('chat_threads')
    .set({ delivery_owner: owner, delivery_until: leaseEnd(leaseMs) })
    .where('id', '=', bindingId)
    .where('delivery_owner', '=', goneOwner)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives a thread back (its debate is over and delivered, or the process stops). */
export async function releaseDelivery(db: Kysely<Database>, bindingId: string, owner: string): Promise<void> {
  await db
    .updateTable('chat_threads')
    .set({ delivery_owner: null, delivery_until: null })
    .where('id', '=', bindingId)
    .where('delivery_owner', '=', owner)
    .execute();
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
