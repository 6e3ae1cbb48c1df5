import { type APIActionRowComponent, type APIButtonComponent, ButtonStyle, ComponentType } from 'discord.js';
import type { CardAction } from '../platform.ts';

const LABEL: Record<CardAction, { label: string; emoji: string }> = {
  pause: { label: 'Pause', emoji: '⏸️' },
  resume: { label: 'Resume', emoji: '▶️' },
  stop: { label: 'Stop', emoji: '⏹️' },
  export: { label: 'Export', emoji: '📄' },
};

const PREFIX = 'arena:';

/** The custom_id of a card button; the client routes every `arena:*` button to its subcommand. */
export const customId = (action: CardAction) => `${PREFIX}${action}`;

/** The card action a button's custom_id names, or null for buttons that are not the arena's. */
export function cardActionOf(id: string): CardAction | null {
  if (!id.startsWith(PREFIX)) return null;
  const action = id.slice(PREFIX.length);
  return action in LABEL ? (action as CardAction) : null;
}

/** A neutral card's actions as one row of Discord buttons (none when the card has no actions). */
export function cardComponents(
  actions: readonly CardAction[] | undefined,
): APIActionRowComponent<APIButtonComponent>[] {
  if (!actions?.length) return [];
  return [
    {
      type: ComponentType.ActionRow,
      components: actions.slice(0, 5).map((a) => ({
        type: ComponentType.Button,
        custom_id: customId(a),
        label: LABEL[a].label,
        emoji: { name: LABEL[a].emoji },
        style: a === 'stop' ? ButtonStyle.Danger : ButtonStyle.Secondary,
      })),
    },
  ];
}
