import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { safeWebhookUsername } from '../../bot/discord/username.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { Persona } from '../../personas/types.ts';
import type { DiscordEmulator, StoredMessage } from '../emulators/discord/index.ts';
import { PUBLIC_URL } from './arena-world.ts';

/** Polls an async condition until it holds; fails with `label` after `timeoutMs`. */
export async function until<T>(
  check: () => Promise<T | null | undefined | false>,
  label: string,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `/arena start` by Alice in #ideas (one round): the thread the reply names and the debate bound to it. */
export async function startDebateInChannel(
  emu: DiscordEmulator,
  db: Kysely<Database>,
  idea: string,
): Promise<{ threadId: string; debateId: string }> {
  const i = emu.invokeCommand({
    user: emu.seed.users.alice,
    channelId: emu.seed.channels.ideas,
    subcommand: 'start',
    options: { idea, rounds: 1 },
  });
  const reply = await emu.waitFor(
    () => emu.interactionReply(i.id)?.content.includes('Debate started') && emu.interactionReply(i.id),
    60_000,
    'start reply',
  );
  const threadId = /<#(\d+)>/.exec(reply.content)![1]!;
  const { debate_id: debateId } = await db
    .selectFrom('chat_threads')
    .select('debate_id')
    .where('thread_id', '=', threadId)
    .executeTakeFirstOrThrow();
  return { threadId, debateId };
}

/** The debate bound to a thread, once the binding is stored. */
export async function boundDebate(db: Kysely<Database>, threadId: string): Promise<string> {
  const row = await until(
    () =>
      db.selectFrom('chat_threads').select('debate_id').where('thread_id', '=', threadId).executeTakeFirst(),
    'binding',
  );
  return row.debate_id;
}

/** The thread binding `debate.auto` opened, once it is stored. */
export function autoDebateBinding(db: Kysely<Database>) {
  return until(
    () =>
      db.selectFrom('chat_threads').selectAll().where('created_by', '=', 'debate.auto').executeTakeFirst(),
    'debate.auto binding',
    120_000,
  );
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const embedTitle = (m: StoredMessage) => (m.embeds[0] as { title?: string } | undefined)?.title ?? null;

/** The app's own posts in a thread: persona posts through webhooks and the bot's own messages. */
export function ownPosts(emu: DiscordEmulator, threadId: string): StoredMessage[] {
  return emu
    .messages(threadId)
    .filter((m) =>
      m.webhookId !== null ? m.interactionId === null : m.author.id === emu.seed.botUser.id && m.type === 0,
    );
}

/**
 * A debate's thread once it has its end banner: it shows the committed debate exactly (below), with
 * at least one persona post.
 */
export async function expectFinishedThread(
  emu: DiscordEmulator,
  arena: Arena,
  binding: { thread_id: string; debate_id: string },
  personas: readonly Persona[],
): Promise<void> {
  await until(
    async () => emu.messages(binding.thread_id).some((m) => /Debate finished/.test(JSON.stringify(m.embeds))),
    'end banner',
    120_000,
  );
  const { posts } = await expectThreadMatchesDebate(
    emu,
    arena,
    binding.thread_id,
    binding.debate_id,
    personas,
  );
  expect(posts.filter((m) => m.webhookId !== null).length).toBeGreaterThan(0);
}

/**
 * The thread shows the committed debate exactly: every persona and system message once, whole, in
 * turn order, each persona under its own name and avatar, with one banner per phase before its turns.
 */
export async function expectThreadMatchesDebate(
  emu: DiscordEmulator,
  arena: Arena,
  threadId: string,
  debateId: string,
  personas: readonly Persona[],
): Promise<{ posts: StoredMessage[] }> {
  const detail = (await arena.getDebate(debateId))!;
  const posts = ownPosts(emu, threadId);
  const banners = posts.filter((m) => m.webhookId === null && embedTitle(m) !== null).map(embedTitle);
  expect(banners[0]).toMatch(/^Divergence · round 1\/1$/);
  expect(banners).toContain('Convergence');
  expect(banners.at(-1)).toMatch(/^Debate (finished|stopped)/);
  expect(new Set(banners).size).toBe(banners.length);

  const content = posts.filter(
    (m) => !(m.webhookId === null && (embedTitle(m) !== null || /^[⏸▶⏳✂]/u.test(m.content))),
  );
  // On failure, show both sides: the transcript and what the thread shows.
  const transcript = detail.messages
    .map((m) => `#${m.turnIndex} ${m.agentName}: ${m.content.slice(0, 50)}`)
    .join('\n');
  const shown = content.map((p) => `${p.author.username}: ${p.content.slice(0, 50)}`).join('\n');
  const context = `\n--- transcript\n${transcript}\n--- thread\n${shown}`;
  let i = 0;
  for (const m of detail.messages) {
    if (m.authorKind === 'human' && m.agentId.startsWith('discord:')) continue;
    const persona = m.authorKind === 'persona' ? personas.find((p) => p.id === m.agentId) : undefined;
    let text = '';
    const start = i;
    while (
      i < content.length &&
      squash(text) !== squash(m.authorKind === 'persona' ? m.content : `📝 ${m.content}`)
    ) {
      const post = content[i++]!;
      expect(post.content.length).toBeLessThanOrEqual(2000);
      if (persona) {
        expect(post.webhookId, `turn ${m.turnIndex} should be a webhook post${context}`).not.toBeNull();
        expect(post.author.username, `turn ${m.turnIndex}${context}`).toBe(safeWebhookUsername(persona.name));
        expect(post.avatarUrl).toBe(`${PUBLIC_URL}/avatars/${persona.id}.png`);
      } else {
        expect(post.webhookId).toBeNull();
      }
      text += `${post.content} `;
    }
    expect(squash(text), `turn ${m.turnIndex} (${m.agentName}) posted from post ${start}`).toBe(
      squash(m.authorKind === 'persona' ? m.content : `📝 ${m.content}`),
    );
  }
  expect(content.slice(i).map((m) => m.content)).toEqual([]);
  return { posts };
}

/**
 * The thread's pause and resume notices each appear once, where the log puts them: before the
 * first message committed after them (one post per message, banners left out).
 */
export async function expectNoticesInLogOrder(
  emu: DiscordEmulator,
  db: Kysely<Database>,
  threadId: string,
  debateId: string,
): Promise<string[]> {
  const notices = await db
    .selectFrom('debate_notices')
    .select(['seq', 'kind'])
    .where('session_id', '=', debateId)
    .where('kind', '!=', 'stopped')
    .orderBy('seq')
    .execute();
  const messages = await db
    .selectFrom('debate_messages')
    .select(['commit_seq', 'author_kind', 'agent_id'])
    .where('session_id', '=', debateId)
    .orderBy('turn_index')
    .execute();
  const expected: string[] = [];
  for (const m of messages) {
    while (notices.length > 0 && notices[0]!.seq < m.commit_seq) expected.push(notices.shift()!.kind);
    if (!(m.author_kind === 'human' && m.agent_id.startsWith('discord:'))) expected.push('message');
  }
  expected.push(...notices.map((n) => n.kind));
  const shown = ownPosts(emu, threadId)
    .filter((m) => !(m.webhookId === null && embedTitle(m) !== null))
    .map((m) => (m.content.startsWith('⏸️') ? 'paused' : m.content.startsWith('▶️') ? 'resumed' : 'message'));
  expect(shown).toEqual(expected);
  return shown;
}
