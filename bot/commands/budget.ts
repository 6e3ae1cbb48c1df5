import type { BudgetWindow } from '../../engine/events.ts';
import { noOptions } from './options.ts';
import { defineCommand } from './types.ts';

const usd = (n: number) => `$${n.toFixed(2)}`;

function windowText(w: BudgetWindow): string {
  const pct =
    w.limitUsd > 0 ? Math.min(100, Math.round(((w.spentUsd + w.reservedUsd) / w.limitUsd) * 100)) : 0;
  const reserved = w.reservedUsd > 0 ? ` (+${usd(w.reservedUsd)} reserved)` : '';
  return `${usd(w.spentUsd)}${reserved} of ${usd(w.limitUsd)} · ${pct}% · ${w.tokens.toLocaleString('en-US')} tokens`;
}

export const budgetCommand = defineCommand({
  name: 'budget',
  description: 'Show today’s and this month’s spending against the limits',
  options: noOptions,
  manage: false,
  ephemeral: true,
  async run({ deps }) {
    const b = await deps.arena.budget();
    return {
      ok: true,
      text: '',
      embed: {
        title: 'Budget',
        fields: [
          { name: `Today (${b.day.date})`, value: windowText(b.day) },
          { name: `This month (${b.month.month})`, value: windowText(b.month) },
        ],
        footer: 'A debate that would cross a limit pauses until the window resets.',
      },
    };
  },
});
