import type { CardAction, Embed } from '../platform.ts';
import { escapeMrkdwn, renderMrkdwn } from './mrkdwn.ts';

const LABEL: Record<CardAction, string> = {
  pause: '⏸ Pause',
  resume: '▶ Resume',
  stop: '⏹ Stop',
  export: '📄 Export',
};

/** The action_id of a card button; the app routes every `arena_*` action to its subcommand. */
export const actionId = (action: CardAction) => `arena_${action}`;

/** A neutral card as Block Kit: a header, its text and fields, the footer, then its buttons. */
export function cardBlocks(card: Embed): unknown[] {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: card.title.slice(0, 150) || ' ', emoji: true } },
  ];
  if (card.description) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: renderMrkdwn(card.description, true).slice(0, 3000) },
    });
  }
  if (card.fields?.length) {
    blocks.push({
      type: 'section',
      fields: card.fields.slice(0, 10).map((f) => ({
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(f.name)}*\n${renderMrkdwn(f.value, true) || '—'}`.slice(0, 2000),
      })),
    });
  }
  if (card.footer) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: renderMrkdwn(card.footer, true).slice(0, 3000) }],
    });
  }
  if (card.actions?.length) {
    blocks.push({
      type: 'actions',
      block_id: 'arena-controls',
      elements: card.actions.map((a) => ({
        type: 'button',
        action_id: actionId(a),
        text: { type: 'plain_text', text: LABEL[a], emoji: true },
        value: a,
        ...(a === 'stop' ? { style: 'danger' } : {}),
      })),
    });
  }
  return blocks;
}

/** The plain fallback text Slack shows in notifications for a card. */
export function cardText(card: Embed): string {
  return renderMrkdwn([card.title, card.description].filter(Boolean).join(' — '), true).slice(0, 3000);
}
