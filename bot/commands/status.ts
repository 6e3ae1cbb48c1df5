import { findBindingsByDebate } from '../../db/repositories/chat.ts';
import type { DebateSummaryView } from '../../engine/api.ts';
import type { Embed } from '../platform.ts';
import { noOptions } from './options.ts';
import { defineCommand } from './types.ts';

const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

export function statusEmbed(d: DebateSummaryView): Embed {
  const state = d.status === 'paused' && d.pauseReason ? `paused (${d.pauseReason})` : d.status;
  return {
    title: d.title.slice(0, 250),
    fields: [
      { name: 'Status', value: state, inline: true },
      {
        name: 'Phase',
        value: d.phase === 'divergence' ? `divergence · round ${d.round}/${d.totalRounds}` : d.phase,
        inline: true,
      },
      { name: 'Outcome', value: d.outcome ?? '—', inline: true },
      { name: 'Messages', value: String(d.messageCount), inline: true },
      { name: 'Tokens', value: `${d.promptTokens + d.completionTokens}`, inline: true },
      { name: 'Cost', value: usd(d.costUsd), inline: true },
    ],
    footer: `debate ${d.id}`,
  };
}

export const statusCommand = defineCommand({
  name: 'status',
  description: 'Show the debate of this thread, or the debates running now',
  options: noOptions,
  manage: false,
  ephemeral: true,
  async run({ command, deps, binding }) {
    const here = await binding();
    if (here) {
      const detail = await deps.arena.getDebate(here.debateId);
      if (!detail)
        return {
          ok: false,
          text: 'This thread’s debate no longer exists. Start a new one with `/arena start`.',
        };
      const { messages: _messages, plan: _plan, ...summary } = detail;
      return { ok: true, text: '', embed: statusEmbed(summary) };
    }
    const running = [
      ...(await deps.arena.listDebates({ status: 'active', limit: 10 })),
      ...(await deps.arena.listDebates({ status: 'paused', limit: 10 })),
    ];
    if (running.length === 0) {
      return { ok: true, text: 'No debate is running. Start one with `/arena start idea: …`.' };
    }
    const lines: string[] = [];
    for (const d of running.slice(0, 15)) {
      const [b] = (await findBindingsByDebate(deps.db, deps.platform.name, d.id)).filter(
        (x) => x.workspaceId === command.workspaceId,
      );
      const where = b ? deps.platform.format.threadLink(b) : `(${d.id.slice(0, 8)}, not in this server)`;
      const phase = d.phase === 'divergence' ? `divergence ${d.round}/${d.totalRounds}` : d.phase;
      lines.push(
        `• ${where} — ${d.title.slice(0, 80)} · ${d.status} · ${phase} · ${d.messageCount} messages`,
      );
    }
    return { ok: true, text: `**Running debates**\n${lines.join('\n')}` };
  },
});
