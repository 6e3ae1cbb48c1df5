import { exportDebateMarkdown } from '../engine/debate/export.ts';
import type { ChatBotDeps } from './chat-bot.ts';

/** What every platform's bot (`startDiscordBot`, `startSlackBot`) is started with, besides its own settings. */
export interface PlatformBotOptions
  extends Pick<
    ChatBotDeps,
    'arena' | 'bus' | 'db' | 'personas' | 'publicUrl' | 'log' | 'clock' | 'deliveryOwner' | 'limits'
  > {
  /** Renders `/arena export`; defaults to the engine's Markdown export. */
  exportMarkdown?: ChatBotDeps['exportMarkdown'];
}

/** The neutral bot's dependencies: the shared options, and what the platform adds (its seam, its log). */
export function chatBotDeps(
  o: PlatformBotOptions,
  own: Pick<ChatBotDeps, 'platform' | 'log' | 'managerRoleLabel'>,
): ChatBotDeps {
  return {
    arena: o.arena,
    bus: o.bus,
    db: o.db,
    personas: o.personas,
    publicUrl: o.publicUrl,
    exportMarkdown: o.exportMarkdown ?? exportDebateMarkdown,
    clock: o.clock,
    ...(o.deliveryOwner ? { deliveryOwner: o.deliveryOwner } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    ...own,
  };
}
