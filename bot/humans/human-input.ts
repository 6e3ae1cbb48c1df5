import type { Kysely } from 'kysely';
import { findBindingByThread, type ThreadBinding } from '../../db/repositories/chat.ts';
import type { ChatPlatformName, Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { Logger } from '../../engine/log.ts';
import { sanitizeName, stripControl } from '../../engine/text/sanitize.ts';
import { MAX_HUMAN_CHARS } from '../constants.ts';
import { createKeyedQueue } from '../keyed-queue.ts';
import type { ChatLimits } from '../limits/chat-limits.ts';
import type { IncomingHumanMessage, PlatformFormat } from '../platform.ts';
import { splitText } from '../text/split-text.ts';

export interface HumanInputDeps {
  db: Kysely<Database>;
  arena: Pick<Arena, 'injectHuman'>;
  platform: ChatPlatformName;
  format: PlatformFormat;
  log: Logger;
  /** Messages per person per thread (shared by every bot process when on Redis). */
  limits: Pick<ChatLimits, 'message'>;
  /** The persona behind one of the app's posts in the thread, if it is one. */
  personaOfPost(binding: ThreadBinding, postId: string): Promise<string | null>;
  /** Posts a short bot notice in the thread, once per key. */
  notify(binding: ThreadBinding, key: string, text: string): Promise<void>;
}

/** Brings a person's thread message into the debate: trimmed, rate-limited, never dropped silently. */
export function createHumanInput(deps: HumanInputDeps): (message: IncomingHumanMessage) => Promise<void> {
  // One message at a time per thread: the debate gets them in the order people sent them.
  const queue = createKeyedQueue();

  return (m) => queue.run(`${m.workspaceId}:${m.threadId}`, () => handle(m));

  async function handle(m: IncomingHumanMessage): Promise<void> {
    const binding = await findBindingByThread(deps.db, deps.platform, m.workspaceId, m.threadId);
    if (!binding) return;
    const who = deps.format.userMention(m.author.id);
    const text = stripControl(m.text).trim();
    // Attachments or stickers alone carry nothing the personas can read.
    if (text === '') return;

    const flood = await deps.limits.message(`${binding.id}:${m.author.id}`);
    if (!flood.ok) {
      if (flood.notify) {
        const seconds = Math.ceil(flood.retryInMs / 1000);
        await deps.notify(
          binding,
          `flood:${m.messageId}`,
          `⏳ ${who}, you are posting faster than the debate can answer: messages in the next ${seconds} s are not added. Wait a moment, then say it in one message.`,
        );
      }
      return;
    }

    const trimmed = text.length > MAX_HUMAN_CHARS ? splitText(text, MAX_HUMAN_CHARS)[0]! : text;
    const personaId = m.replyToPostId ? await deps.personaOfPost(binding, m.replyToPostId) : null;
    const result = await deps.arena.injectHuman(binding.debateId, {
      // A display name is chosen by its owner: one line, no controls, before it goes anywhere.
      author: sanitizeName(m.author.displayName),
      authorId: `${deps.platform}:${m.author.id}`,
      text: trimmed,
      ...(personaId ? { replyToPersonaId: personaId } : {}),
      // Redelivered (gateway replay, Slack retry, another bot process): stored once, answered once.
      sourceId: `${deps.platform}:${m.workspaceId}:${m.messageId}`,
    });
    if (!result.ok && result.reason === 'duplicate') return;
    if (!result.ok) {
      const why =
        result.reason === 'already_finished'
          ? 'this debate has ended. Start a new one with `/arena start`.'
          : 'this thread no longer has a debate. Start a new one with `/arena start`.';
      await deps.notify(binding, `ended:${m.messageId}`, `${who}, your message was not added: ${why}`);
      return;
    }
    if (trimmed.length < text.length) {
      await deps.notify(
        binding,
        `trimmed:${m.messageId}`,
        `✂️ ${who}, your message was long: the debate got its first ${trimmed.length} of ${text.length} characters.`,
      );
    }
    deps.log.debug('human message injected', { debate: binding.debateId, next: result.nextPersonaId });
  }
}
