import type { CardAction, Embed } from './platform.ts';

/** The debate's root card as it opens: what it is, how to join, and its buttons. */
export function openingCard(title: string): Embed {
  return {
    title: `🧠 ${title}`,
    description: 'A debate starts in this thread. Reply in it to join; personas answer you.',
    actions: ['pause', 'stop', 'export'],
  };
}

const AFTER: Record<Exclude<CardAction, 'export'>, { line: string; actions: CardAction[] }> = {
  pause: { line: '⏸️ Paused by {who}.', actions: ['resume', 'stop', 'export'] },
  resume: { line: '▶️ Running — resumed by {who}.', actions: ['pause', 'stop', 'export'] },
  stop: { line: '⏹️ Stopped by {who}.', actions: ['export'] },
};

/**
 * The root card after a button did its work: the state it left the debate in, who did it, and the
 * buttons that make sense now. `title` is the card's current title, `who` a non-notifying mention.
 */
export function cardAfter(action: Exclude<CardAction, 'export'>, title: string, who: string): Embed {
  const state = AFTER[action];
  return { title, description: state.line.replace('{who}', who), actions: state.actions };
}
