import type { OutboxEntry } from '../../db/repositories/chat-outbox.ts';
import type { ChatPlatform, OutgoingPost } from '../platform.ts';
import { splitText } from '../text/split-text.ts';
import { type OutboxPayload, outboxPayloadSchema } from './render.ts';

/** An outbox row as the posts it becomes: one per text part, the embed on the first. */
export interface PlannedPosts {
  payload: OutboxPayload;
  posts: OutgoingPost[];
}

export function planPosts(
  entry: OutboxEntry,
  platform: Pick<ChatPlatform, 'maxPostLength' | 'normalizeIdentity'>,
): PlannedPosts | { error: string } {
  const parsed = outboxPayloadSchema.safeParse(entry.payload);
  if (!parsed.success) return { error: `malformed outbox payload: ${parsed.error.issues[0]?.message}` };
  const payload = parsed.data;
  const texts =
    payload.text !== undefined && payload.text.trim() !== ''
      ? splitText(payload.text, platform.maxPostLength)
      : [];
  if (texts.length === 0 && !payload.embed) return { error: 'empty outbox payload' };
  const count = Math.max(texts.length, 1);
  const identity = payload.identity ? platform.normalizeIdentity(payload.identity) : undefined;
  const posts: OutgoingPost[] = [];
  for (let i = 0; i < count; i++) {
    posts.push({
      ...(texts[i] !== undefined ? { text: texts[i] } : {}),
      ...(i === 0 && payload.embed ? { embed: payload.embed } : {}),
      ...(identity ? { identity } : {}),
    });
  }
  return { payload, posts };
}
