import { expect } from 'vitest';
import { safeWebhookUsername } from '../../bot/discord/username.ts';
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
