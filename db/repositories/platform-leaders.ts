import { type Kysely, sql } from 'kysely';
import type { Database } from '../schema.ts';

export type LeaderClaim = { held: true } | { held: false; owner: string | null };

/**
 * Takes or renews a platform's gateway lease (on the database clock): free, expired, or already
 * this owner's. Of two processes asking at once, exactly one gets it (a conditional UPDATE).
 */
export async function claimLeadership(
  db: Kysely<Database>,
  platform: string,
  owner: string,
  leaseMs: number,
): Promise<LeaderClaim> {
  await db
    .insertInto('platform_leaders')
    .values({ platform })
    .onConflict((oc) => oc.column('platform').doNothing())
    .execute();
  const row = await db
    .updateTable('platform_leaders')
    .set((eb) => ({
      owner,
      lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`,
      since: eb.case().when('owner', '=', owner).then(eb.ref('since')).else(sql<Date>`now()`).end(),
    }))
    .where('platform', '=', platform)
    .where((eb) =>
      eb.or([eb('owner', 'is', null), eb('owner', '=', owner), eb('lease_until', '<', sql<Date>`now()`)]),
    )
    .returning('platform')
    .executeTakeFirst();
  if (row) return { held: true };
  const other = await db
    .selectFrom('platform_leaders')
    .select('owner')
    .where('platform', '=', platform)
    .executeTakeFirst();
  return { held: false, owner: other?.owner ?? null };
}

/**
 * Takes the lease from an owner known to be gone (its process was killed), whatever the lease
 * says; false when someone else holds it meanwhile.
 */
export async function takeOverLeadership(
  db: Kysely<Database>,
  platform: string,
  owner: string,
  goneOwner: string,
  leaseMs: number,
): Promise<boolean> {
  const row = await db
    .updateTable('platform_leaders')
    .set({
      owner,
      lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`,
      since: sql<Date>`now()`,
    })
    .where('platform', '=', platform)
    .where('owner', '=', goneOwner)
    .returning('platform')
    .executeTakeFirst();
  return row !== undefined;
}

/** Gives the lease back (a clean stop), so another process takes over at once. */
export async function releaseLeadership(
  db: Kysely<Database>,
  platform: string,
  owner: string,
): Promise<void> {
  await db
    .updateTable('platform_leaders')
    .set({ owner: null, lease_until: null })
    .where('platform', '=', platform)
    .where('owner', '=', owner)
    .execute();
}
