import { type Kysely, sql } from 'kysely';
import { safeWebhookUsername } from '../../bot/discord/username.ts';
import type { Database } from '../../db/schema.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator, StoredMessage } from '../../test/emulators/discord/index.ts';
import type { DebateEvidence, GlobalEvidence, ThreadPost } from './check.ts';

/** A thread the run opened, and the chat messages people sent into it. */
export interface ChaosThread {
  threadId: string;
  /** Platform message ids of the people's messages sent into it. */
  humanMessageIds: string[];
}

const embedTitle = (m: StoredMessage) => (m.embeds[0] as { title?: string } | undefined)?.title ?? null;

/** The app's own posts in a Discord thread, as the checker reads them. */
export function discordPosts(emu: DiscordEmulator, threadId: string): ThreadPost[] {
  return emu
    .messages(threadId)
    .filter((m) =>
      m.webhookId !== null ? m.interactionId === null : m.author.id === emu.seed.botUser.id && m.type === 0,
    )
    .map((m) => {
      const banner = m.webhookId === null ? embedTitle(m) : null;
      return {
        id: m.id,
        byIdentity: m.webhookId !== null,
        author: m.author.username,
        content: m.content,
        banner,
        notice: m.webhookId === null && banner === null && /^[⏸▶⏳✂]/u.test(m.content),
      };
    });
}

/** What the database and the emulator hold for each thread the run opened. */
export async function collectDiscordEvidence(p: {
  db: Kysely<Database>;
  emu: DiscordEmulator;
  threads: readonly ChaosThread[];
  personas: readonly Persona[];
}): Promise<DebateEvidence[]> {
  const names = new Map(p.personas.map((x) => [x.id, x.name]));
  const out: DebateEvidence[] = [];
  for (const t of p.threads) {
    const binding = await p.db
      .selectFrom('chat_threads')
      .select(['id', 'debate_id'])
      .where('platform', '=', 'discord')
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
    const sent = new Set(t.humanMessageIds);
    const stored = messages.filter(
      (m) => m.source_id !== null && sent.has(m.source_id.slice(m.source_id.lastIndexOf(':') + 1)),
    );
    out.push({
      debateId: binding.debate_id,
      title: session.title,
      status: session.status,
      shown: messages
        .filter((m) => !(m.author_kind === 'human' && m.agent_id.startsWith('discord:')))
        .map((m) => {
          const persona = m.author_kind === 'persona';
          return {
            turnIndex: m.turn_index,
            text: persona ? m.content : `📝 ${m.content}`,
            author: persona ? safeWebhookUsername(names.get(m.agent_id) ?? m.agent_name) : 'bot',
            byIdentity: persona,
          };
        }),
      posts: discordPosts(p.emu, t.threadId),
      unsentRows: Number(unsent.n),
      trackedPreviews: Number(previews.n),
      humansSent: t.humanMessageIds.length,
      humansStored: stored.length,
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
