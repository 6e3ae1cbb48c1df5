import { type Kysely, sql } from 'kysely';
import type { Database, Idea, IdeaStatus, NewIdea } from '../schema.ts';

/** An idea as viewers list it. */
export interface IdeaView {
  id: string;
  title: string;
  status: IdeaStatus;
  score: number;
  createdAt: string;
}

export function toIdeaView(row: Pick<Idea, 'id' | 'title' | 'status' | 'score' | 'created_at'>): IdeaView {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    score: Number(row.score),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function insertIdea(db: Kysely<Database>, idea: NewIdea): Promise<Idea> {
  return db.insertInto('ideas').values(idea).returningAll().executeTakeFirstOrThrow();
}

export function getIdea(db: Kysely<Database>, id: string): Promise<Idea | undefined> {
  return db.selectFrom('ideas').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Moves an idea along pending → in_debate → selected/rejected → planned; score when known. */
export async function setIdeaStatus(
  db: Kysely<Database>,
  id: string,
  status: IdeaStatus,
  opts: { now: Date; score?: number },
): Promise<void> {
  await db
    .updateTable('ideas')
    .set({ status, updated_at: opts.now, ...(opts.score === undefined ? {} : { score: opts.score }) })
    .where('id', '=', id)
    .execute();
}

/** Ideas newest first, optionally of one status (the seed's `get_by_status`). */
export async function listIdeas(
  db: Kysely<Database>,
  filter: { status?: IdeaStatus | undefined; limit?: number | undefined } = {},
): Promise<IdeaView[]> {
  let q = db.selectFrom('ideas').select(['id', 'title', 'status', 'score', 'created_at']);
  if (filter.status) q = q.where('status', '=', filter.status);
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 50)
    .execute();
  return rows.map(toIdeaView);
}

/** Number of ideas per status, e.g. `{ pending: 3, selected: 1 }` (the seed's `count_by_status`). */
export async function countIdeasByStatus(db: Kysely<Database>): Promise<Partial<Record<IdeaStatus, number>>> {
  const rows = await db
    .selectFrom('ideas')
    .select(['status', sql<number>`count(*)::int8`.as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Titles of the newest ideas, any status (for near-duplicate checks before adding one). */
export async function recentIdeaTitles(db: Kysely<Database>, limit = 1000): Promise<string[]> {
  const rows = await db
    .selectFrom('ideas')
    .select('title')
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.title);
}

/** The best pending idea (highest score, then oldest): what the daily debate takes up. */
export function topPendingIdea(db: Kysely<Database>): Promise<Idea | undefined> {
  return db
    .selectFrom('ideas')
    .selectAll()
    .where('status', '=', 'pending')
    .orderBy('score', 'desc')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}
