import { renderMrkdwn, unescapeMrkdwn } from '../../bot/slack/mrkdwn.ts';
import {
  type SlackEmulator,
  type SlackMessage,
  startSlackEmulator,
} from '../../test/emulators/slack/index.ts';
import type { ThreadPost } from './check.ts';
import type { ChaosPlatform } from './platform.ts';

const header = (m: SlackMessage): string | null => {
  const h = (m.blocks ?? []).find((b) => (b as { type?: string }).type === 'header') as
    | { text?: { text?: string } }
    | undefined;
  return h?.text?.text ?? null;
};

/** The thread as the checker reads it: the app's replies and people's messages, oldest first. */
export function slackPosts(emu: SlackEmulator, rootTs: string): ThreadPost[] {
  return emu
    .thread(emu.seed.ideas, rootTs)
    .filter((m) => m.ts !== rootTs && (m.user !== undefined || (m.bot_id && m.subtype !== 'file_share')))
    .map((m) => {
      const person = m.user !== undefined && !m.bot_id;
      const banner = person || m.username ? null : header(m);
      const content = unescapeMrkdwn(m.text);
      return {
        id: m.ts,
        byIdentity: m.username !== undefined,
        author: m.username ?? (person ? m.user! : 'Arena'),
        content,
        banner,
        notice: !person && !m.username && banner === null && /^[⏸▶⏳✂]/u.test(content),
        person: person ? m.ts : null,
      };
    });
}

/** Slack through its emulator, driven by the real Bolt app of `arena start` in Socket Mode. */
export async function startSlackPlatform(): Promise<ChaosPlatform> {
  // Per-channel limits loose enough for three debates in one channel; 429s are injected on purpose.
  const emu = await startSlackEmulator({
    rateLimits: { postMessage: { limit: 50, windowMs: 1000 }, update: { limit: 50, windowMs: 1000 } },
  });
  return {
    name: 'slack',
    env: { SLACK_BOT_TOKEN: emu.botToken, SLACK_APP_TOKEN: emu.appToken, SLACK_API_URL: emu.apiUrl },
    connectedLine: /slack: Socket Mode/,
    connected: () => emu.socketConnections() > 0,
    async startDebate(idea, timeoutMs) {
      const sent = await emu.slashCommand({
        user: emu.seed.alice,
        channel: emu.seed.ideas,
        text: `start ${idea} rounds:1`,
      });
      // The reply links the thread: …/archives/<channel>/p<seconds><micros>|…
      const link = await emu
        .waitFor(
          () =>
            emu
              .responsesFor(sent.responseId)
              .map((r) => /\/archives\/\w+\/p(\d+)(\d{6})\|/.exec(r.text ?? ''))
              .find(Boolean),
          timeoutMs,
          idea,
        )
        .catch((error: Error) => {
          const said = emu.responsesFor(sent.responseId).map((r) => r.text);
          throw new Error(`${error.message} (the bot answered: ${JSON.stringify(said).slice(0, 300)})`);
        });
      return `${link[1]}.${link[2]}`;
    },
    async say(threadId, text) {
      const sent = await emu.postAsUser({
        user: emu.seed.bob,
        channel: emu.seed.ideas,
        text,
        threadTs: threadId,
      });
      return sent.ts;
    },
    posts: (threadId) => slackPosts(emu, threadId),
    shownText: (text) => unescapeMrkdwn(renderMrkdwn(text, false)),
    authorName: (name) => name.replace(/\s+/g, ' ').trim().slice(0, 80) || 'Persona',
    failPosts(kind) {
      if (kind === 500) {
        // WebClient retries twice: three 500s make a post or an edit fail back to the relay.
        emu.failNext('chat.postMessage', 500, 'internal_error', 3);
        emu.failNext('chat.update', 500, 'internal_error', 3);
        return 6;
      }
      const retryAfter = { 'retry-after': '1' };
      emu.failNext('chat.postMessage', 429, 'ratelimited', 2, retryAfter);
      emu.failNext('chat.update', 429, 'ratelimited', 2, retryAfter);
      return 4;
    },
    close: () => emu.close(),
  };
}
