import { type Kysely, sql } from 'kysely';
import { messagePayload } from '../../bot/delivery/render.ts';
import type { Database } from '../../db/schema.ts';
import { quoteLines } from '../../engine/text/sanitize.ts';
import type { Persona } from '../../personas/types.ts';
import type { DebateEvidence, GlobalEvidence } from './check.ts';
import { type ChaosThread, PUBLIC_URL } from './platform.ts';
import { until } from './timing.ts';

/**
 * What the database and the emulators hold for each thread the run opened; `prompts` are the texts
 * of every model request (to see people's messages quoted in them).
 */
export async function collectEvidence(p: {
  db: Kysely<Database>;
  threads: readonly ChaosThread[];
  personas: readonly Persona[];
  prompts: readonly string[];
}): Promise<DebateEvidence[]> {
  const byId = new Map(p.personas.map((x) => [x.id, x]));
  const out: DebateEvidence[] = [];
  for (const t of p.threads) {
    const binding = await p.db
      .selectFrom('chat_threads')
      .select(['id', 'debate_id'])
      .where('platform', '=', t.platform.name)
      .where('thread_id', '=', t.threadId)
      .executeTakeFirst();
    if (!binding) continue;
    const session = await p.db
      .selectFrom('debate_sessions as s')
      .innerJoin('ideas as i', 'i.id', 's.idea_id')
      .select(['s.status', 's.prompt_tokens', 's.completion_tokens', 's.cost_usd', 'i.title'])
      .where('s.id', '=', binding.debate_id)
      .executeTakeFirstOrThrow();
    const messages = await p.db
      .selectFrom('debate_messages')
      .select([
        'turn_index',
        'author_kind',
        'agent_id',
        'agent_name',
        'content',
        'prompt_tokens',
        'completion_tokens',
        'cost_usd',
        'source_id',
      ])
      .where('session_id', '=', binding.debate_id)
      .orderBy('turn_index')
      .execute();
    const unsent = await p.db
      .selectFrom('chat_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('thread_binding_id', '=', binding.id)
      .where('status', '!=', 'sent')
      .executeTakeFirstOrThrow();
    const previews = await p.db
      .selectFrom('chat_previews')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('thread_binding_id', '=', binding.id)
      .executeTakeFirstOrThrow();
    const platform = t.platform;
    const people = t.people.map((person) => {
      const rows = messages.filter((m) => m.source_id?.endsWith(`:${person.id}`));
      const quote = quoteLines(person.text);
      return {
        id: person.id,
        stored: rows.length,
        turnIndex: rows[0]?.turn_index ?? null,
        quoted: p.prompts.filter((text) => text.includes(quote)).length,
      };
    });
    out.push({
      debateId: binding.debate_id,
      title: session.title,
      status: session.status,
      shown: messages.flatMap((m) => {
        // What the app posts for it (nothing for a person's own message on this platform).
        const post = messagePayload(
          {
            authorKind: m.author_kind,
            agentId: m.agent_id,
            agentName: m.agent_name,
            content: m.content,
            turnIndex: m.turn_index,
          },
          { platform: platform.name, personas: byId, publicUrl: PUBLIC_URL },
        );
        if (!post) return [];
        const identity = post.payload.identity;
        return [
          {
            turnIndex: m.turn_index,
            text: platform.shownText(post.payload.text ?? ''),
            author: identity ? platform.authorName(identity.username) : 'bot',
            byIdentity: identity !== undefined,
          },
        ];
      }),
      posts: platform.posts(t.threadId),
      unsentRows: Number(unsent.n),
      trackedPreviews: Number(previews.n),
      people,
      totals: {
        prompt: session.prompt_tokens,
        completion: session.completion_tokens,
        cost: Number(session.cost_usd),
      },
      sums: {
        prompt: messages.reduce((n, m) => n + m.prompt_tokens, 0),
        completion: messages.reduce((n, m) => n + m.completion_tokens, 0),
        cost: messages.reduce((n, m) => n + Number(m.cost_usd), 0),
      },
    });
  }
  return out;
}

/** Usage folded into api_usage against the model calls recorded on the messages; money still held. */
export async function collectGlobalEvidence(db: Kysely<Database>, crashes: number): Promise<GlobalEvidence> {
  const api = await db
    .selectFrom('api_usage')
    .select([
      sql<number>`coalesce(sum(input_tokens), 0)::bigint`.as('input'),
      sql<number>`coalesce(sum(output_tokens), 0)::bigint`.as('output'),
      sql<number>`coalesce(sum(request_count), 0)::bigint`.as('requests'),
    ])
    .executeTakeFirstOrThrow();
  const rows = await db.selectFrom('debate_messages').select(['usages', 'stats_folded']).execute();
  const messageUsage = { input: 0, output: 0, requests: 0 };
  for (const r of rows) {
    for (const u of r.usages ?? []) {
      messageUsage.input += u.input;
      messageUsage.output += u.output;
      messageUsage.requests++;
    }
  }
  const held = await db
    .selectFrom('debate_sessions')
    .select(sql<string>`coalesce(sum(held_usd), 0)`.as('usd'))
    .executeTakeFirstOrThrow();
  const reserved = await db
    .selectFrom('budget_windows')
    .select(sql<string>`coalesce(sum(day_reserved + month_reserved), 0)`.as('usd'))
    .executeTakeFirstOrThrow();
  return {
    apiUsage: { input: Number(api.input), output: Number(api.output), requests: Number(api.requests) },
    messageUsage,
    unfolded: rows.filter((r) => !r.stats_folded).length,
    heldUsd: Number(held.usd) + Number(reserved.usd),
    crashes,
  };
}

/** Waits until every debate is over and every thread shows all of it, with nothing queued or previewed. */
export async function settle(
  db: Kysely<Database>,
  threads: readonly ChaosThread[],
  timeoutMs: number,
): Promise<void> {
  let last = '';
  let stableSince = Date.now();
  let stuckSince: number | null = null;
  await until(
    'every debate to finish and every thread to be delivered',
    async () => {
      const open = await db
        .selectFrom('debate_sessions')
        .select('status')
        .where('status', 'not in', ['completed', 'failed', 'cancelled'])
        .execute();
      // A paused debate waits for a person: nothing more will happen, the verdict says so.
      const stuck = open.length > 0 && open.every((d) => d.status === 'paused');
      stuckSince = stuck ? (stuckSince ?? Date.now()) : null;
      if (stuckSince !== null && Date.now() - stuckSince > 30_000) return true;
      const unsent = await db.selectFrom('chat_outbox').select('id').where('status', '!=', 'sent').execute();
      const previews = await db.selectFrom('chat_previews').select('id').execute();
      const behind = await db
        .selectFrom('chat_threads as t')
        .select('t.id')
        .where(({ eb, selectFrom }) =>
          eb(
            't.cursor_turn',
            '<',
            selectFrom('debate_messages as m')
              .select((e) => e.fn.max('m.turn_index').as('last'))
              .whereRef('m.session_id', '=', 't.debate_id'),
          ),
        )
        .execute();
      const unfolded = await db
        .selectFrom('debate_messages')
        .select('id')
        .where('stats_folded', '=', false)
        .execute();
      const posts = threads.map((t) => t.platform.posts(t.threadId).length).join(',');
      if (posts !== last) {
        last = posts;
        stableSince = Date.now();
      }
      return (
        open.length === 0 &&
        unsent.length === 0 &&
        previews.length === 0 &&
        behind.length === 0 &&
        unfolded.length === 0 &&
        Date.now() - stableSince > 5_000
      );
    },
    timeoutMs,
  );
}
