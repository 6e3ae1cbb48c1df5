import { z } from 'zod';
import type { IncomingHumanMessage } from '../platform.ts';

// A person's plain message in a thread: no subtype (edits, deletes, joins, bot posts all have one),
// no bot_id, and a thread_ts that is not its own ts (a root message starts no debate).
const humanReply = z.object({
  type: z.literal('message'),
  subtype: z.never().optional(),
  bot_id: z.never().optional(),
  user: z.string().min(1),
  text: z.string(),
  ts: z.string(),
  thread_ts: z.string(),
  channel: z.string(),
});

/** A Slack `message` event as a human thread message, or null when it must not join a debate. */
export function toHumanMessage(
  event: unknown,
  ctx: { teamId: string; botUserId: string; displayName: string },
): IncomingHumanMessage | null {
  const parsed = humanReply.safeParse(event);
  if (!parsed.success) return null;
  const m = parsed.data;
  if (m.thread_ts === m.ts || m.user === ctx.botUserId) return null;
  return {
    workspaceId: ctx.teamId,
    threadId: m.thread_ts,
    messageId: m.ts,
    author: { id: m.user, displayName: ctx.displayName },
    // Slack escapes &, < and > in what people type; the debate gets the text as they wrote it.
    text: m.text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
    replyToPostId: null,
  };
}

/** Quick pre-check before any API call: is this event possibly a person's thread reply? */
export function mayBeHumanReply(event: {
  subtype?: unknown;
  bot_id?: unknown;
  thread_ts?: unknown;
}): boolean {
  return event.subtype === undefined && event.bot_id === undefined && typeof event.thread_ts === 'string';
}
