import { expect } from 'vitest';
import { unescapeMrkdwn } from '../../bot/slack/mrkdwn.ts';
import type { DebateDetailView } from '../../engine/api.ts';
import type { SlackEmulator, SlackMessage } from '../emulators/slack/index.ts';

/** A streaming preview still showing: the text a post has while its turn is being written. */
export const isPreview = (m: SlackMessage) => m.text.endsWith(' …');

/**
 * The thread under `rootTs` shows the committed debate exactly: every persona message once, whole,
 * in turn order, under its persona's name; no streaming preview left; no bot post (banner, summary,
 * notice) twice.
 */
export function expectSlackThreadMatchesDebate(
  emu: SlackEmulator,
  rootTs: string,
  detail: DebateDetailView,
): { personaPosts: SlackMessage[] } {
  const replies = emu.thread(emu.seed.ideas, rootTs).filter((m) => m.ts !== rootTs);
  const personaPosts = replies.filter((m) => m.username);
  const committed = detail.messages.filter((m) => m.authorKind === 'persona');
  const shown = personaPosts.map((m) => `${m.username}: ${unescapeMrkdwn(m.text).slice(0, 60)}`);
  const context = `\n--- thread\n${shown.join('\n')}\n--- transcript\n${committed
    .map((m) => `#${m.turnIndex} ${m.agentName}: ${m.content.slice(0, 60)}`)
    .join('\n')}`;
  expect(
    personaPosts.map((m) => m.username),
    context,
  ).toEqual(committed.map((m) => m.agentName));
  expect(
    personaPosts.map((m) => unescapeMrkdwn(m.text)),
    context,
  ).toEqual(committed.map((m) => m.content.replace(/\*\*(.+?)\*\*/gs, '*$1*')));
  expect(replies.filter(isPreview).map((m) => m.text)).toEqual([]);
  const own = replies.filter((m) => !m.username && m.bot_id).map((m) => m.text);
  expect(own.filter((text, i) => own.indexOf(text) !== i)).toEqual([]);
  return { personaPosts };
}
