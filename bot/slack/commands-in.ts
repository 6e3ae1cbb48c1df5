import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { cardAfter } from '../card.ts';
import { COMMANDS } from '../commands/index.ts';
import type { CardAction, CommandReply, IncomingCommand, ThreadRef } from '../platform.ts';
import { cardBlocks, cardText } from './blocks.ts';
import { parseCommandText } from './command-text.ts';
import { renderMrkdwn } from './mrkdwn.ts';
import type { SlackPerson } from './people.ts';
import type { SlackPlatform } from './slack-platform.ts';

type Respond = (message: {
  response_type: 'ephemeral' | 'in_channel';
  text: string;
  blocks?: unknown[];
  replace_original?: boolean;
}) => Promise<unknown>;

export interface InboundDeps {
  platform: SlackPlatform;
  client: WebClient;
  person(id: string): Promise<SlackPerson>;
  /** The debate thread most recently opened in a channel (kept in the database, so it survives restarts). */
  latestThread(workspaceId: string, channelId: string): Promise<ThreadRef | null>;
}

// What Slack sends for a slash command, checked at the door.
const slashCommand = z.object({
  text: z.string().default(''),
  user_id: z.string().min(1),
  channel_id: z.string().min(1),
  team_id: z.string().min(1),
});

// Subcommands that act on one debate: typed in a channel, they mean the latest debate opened there.
const THREAD_SCOPED = new Set(['stop', 'pause', 'resume', 'status', 'export', 'summon']);

/** `/arena <text>`: parsed into a neutral command and handed to the bot; answers go to response_url. */
export async function handleSlashCommand(raw: unknown, respond: Respond, deps: InboundDeps): Promise<void> {
  const body = slashCommand.safeParse(raw);
  if (!body.success) {
    await respond({ response_type: 'ephemeral', text: 'That command arrived malformed; try again.' });
    return;
  }
  const c = body.data;
  const parsed = parseCommandText(c.text);
  if (!parsed.ok) {
    await respond({ response_type: 'ephemeral', text: renderMrkdwn(parsed.text, true) });
    return;
  }
  if (parsed.subcommand === 'help') {
    await respond({ response_type: 'ephemeral', text: renderMrkdwn(helpText(), true) });
    return;
  }
  const latest = THREAD_SCOPED.has(parsed.subcommand)
    ? await deps.latestThread(c.team_id, c.channel_id)
    : null;
  const person = await deps.person(c.user_id);
  let ephemeral = true;
  const command: IncomingCommand = {
    subcommand: parsed.subcommand,
    options: parsed.options,
    user: person,
    workspaceId: c.team_id,
    channelId: latest?.threadId ?? c.channel_id,
    parentChannelId: latest ? c.channel_id : null,
    async defer(opts) {
      ephemeral = opts.ephemeral;
    },
    respond: (reply) =>
      sendReply(reply, { ephemeral, respond, deps, channelId: c.channel_id, thread: latest }),
  };
  await deps.platform.receiveCommand(command);
}

const blockAction = z.object({
  user: z.object({ id: z.string() }),
  team: z.object({ id: z.string() }).nullable(),
  channel: z.object({ id: z.string() }),
  container: z.object({ message_ts: z.string() }),
  message: z
    .object({ blocks: z.array(z.unknown()).optional() })
    .passthrough()
    .optional(),
  actions: z.array(z.object({ action_id: z.string() })).min(1),
});

/** A card button: the same command (and permission rule) as typing it; the card shows the new state. */
export async function handleCardAction(raw: unknown, respond: Respond, deps: InboundDeps): Promise<void> {
  const body = blockAction.safeParse(raw);
  if (!body.success) return;
  const a = body.data;
  const action = a.actions[0]!.action_id.replace(/^arena_/, '') as CardAction;
  const teamId = a.team?.id ?? '';
  const thread: ThreadRef = {
    workspaceId: teamId,
    channelId: a.channel.id,
    threadId: a.container.message_ts,
  };
  const person = await deps.person(a.user.id);
  const command: IncomingCommand = {
    subcommand: action,
    options: {},
    user: person,
    workspaceId: teamId,
    channelId: thread.threadId,
    parentChannelId: thread.channelId,
    async defer() {},
    async respond(reply) {
      if (!reply.ok || action === 'export') {
        await sendReply(reply, { ephemeral: true, respond, deps, channelId: thread.channelId, thread });
        return;
      }
      const title = headerText(a.message?.blocks) ?? '🧠 Debate';
      await deps.platform.updateCard(
        thread,
        cardAfter(action, title, deps.platform.format.userMention(person.id)),
      );
    },
  };
  await deps.platform.receiveCommand(command);
}

async function sendReply(
  reply: CommandReply,
  ctx: {
    ephemeral: boolean;
    respond: Respond;
    deps: InboundDeps;
    channelId: string;
    thread: ThreadRef | null;
  },
): Promise<void> {
  const text = renderMrkdwn(reply.text, true);
  if (reply.ok && reply.file) {
    // WebClient's filesUploadV2: files.getUploadURLExternal, the upload, files.completeUploadExternal.
    const file = {
      filename: reply.file.name,
      file: Buffer.from(reply.file.content, 'utf8'),
      initial_comment: text,
    };
    await ctx.deps.client.filesUploadV2(
      ctx.thread
        ? { ...file, channel_id: ctx.thread.channelId, thread_ts: ctx.thread.threadId }
        : { ...file, channel_id: ctx.channelId },
    );
    return;
  }
  // A card (e.g. `/arena ideas`, `/arena budget`) goes as Block Kit, its text as the fallback.
  const embed = reply.ok ? reply.embed : undefined;
  await ctx.respond({
    response_type: reply.ok && !ctx.ephemeral ? 'in_channel' : 'ephemeral',
    text: text || (embed ? cardText(embed) : ' '),
    ...(embed ? { blocks: cardBlocks(embed) } : {}),
    replace_original: false,
  });
}

function helpText(): string {
  const lines = COMMANDS.map((c) => `• \`/arena ${c.name}\` — ${c.description}`);
  return [
    '*/arena* runs debates between AI personas in a thread.',
    ...lines,
    '• `/arena help` — this list',
    'Start with `/arena start <idea> [rounds:N] [lang:en|ko]`. Reply in the thread to join; the card’s buttons pause, resume and stop.',
  ].join('\n');
}

function headerText(blocks: unknown[] | undefined): string | null {
  const h = blocks?.find((b) => (b as { type?: string }).type === 'header') as
    | { text?: { text?: string } }
    | undefined;
  return h?.text?.text ?? null;
}
