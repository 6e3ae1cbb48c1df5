import { createWindows } from './rate-limit.ts';
import type { ApiCall, RateRule, ResponseUrlPost, SlackMessage, SlackUser, UploadedFile } from './types.ts';
import type { ApiAnswer } from './web-api.ts';

/** Everything the emulated workspace knows; the HTTP and socket front ends share it. */
export interface EmulatorState {
  teamId: string;
  teamDomain: string;
  appId: string;
  botId: string;
  botUserId: string;
  botToken: string;
  appToken: string;
  signingSecret: string;
  scopes: string[];
  httpUrl: string;
  wsUrl: string;
  channels: Map<string, { id: string; name: string }>;
  users: Map<string, SlackUser>;
  messages: SlackMessage[];
  files: Map<string, UploadedFile>;
  calls: ApiCall[];
  responses: ResponseUrlPost[];
  rateLimitHits: Array<{ method: string; channel: string; retryAfter: number }>;
  faults: Array<{
    method: string;
    status: number;
    error: string;
    count: number;
    headers?: Record<string, string>;
  }>;
  nextTs(): string;
  nextId(prefix: string): string;
  /** A 429 answer when `method` is over its per-channel limit, else null. */
  limit(kind: 'postMessage' | 'update', channel: string): ApiAnswer | null;
}

// Message timestamps are unique across every emulator in the process, as Slack's are per channel:
// tests that start a fresh emulator against the same database (same seeded channel ids) must not
// see a thread ts that an earlier emulator already handed out.
let counter = 0;
let lastSecond = 0;

export function createState(opts: {
  scopes: string[];
  rules: { postMessage: RateRule; update: RateRule };
}): EmulatorState {
  const windows = createWindows();
  let ids = 0;
  const state: EmulatorState = {
    teamId: 'T0EMU0001',
    teamDomain: 'arena-emu',
    appId: 'A0EMU0001',
    botId: 'B0EMU0001',
    botUserId: 'U0ARENABOT',
    botToken: 'xoxb-emulated-bot-token',
    appToken: 'xapp-1-emulated-app-token',
    signingSecret: 'emulated-signing-secret',
    scopes: opts.scopes,
    httpUrl: '',
    wsUrl: '',
    channels: new Map([
      ['C0IDEAS001', { id: 'C0IDEAS001', name: 'ideas' }],
      ['C0GENERAL1', { id: 'C0GENERAL1', name: 'general' }],
    ]),
    users: new Map(
      [
        { id: 'U0ALICE001', name: 'alice', is_admin: false, is_owner: false },
        { id: 'U0BOB00001', name: 'bob', is_admin: false, is_owner: false },
        { id: 'U0ADMIN001', name: 'admin', is_admin: true, is_owner: false },
      ].map((u) => [u.id, u]),
    ),
    messages: [],
    files: new Map(),
    calls: [],
    responses: [],
    rateLimitHits: [],
    faults: [],
    nextTs() {
      // Unique, increasing, Slack-shaped: seconds.micro-counter.
      const s = Math.floor(Date.now() / 1000);
      if (s > lastSecond) {
        lastSecond = s;
        counter = 0;
      }
      counter++;
      return `${lastSecond}.${String(counter).padStart(6, '0')}`;
    },
    nextId(prefix) {
      ids++;
      return `${prefix}0EMU${String(ids).padStart(5, '0')}`;
    },
    limit(kind, channel) {
      const wait = windows.take(`${kind}:${channel}`, opts.rules[kind]);
      if (wait === null) return null;
      const method = kind === 'postMessage' ? 'chat.postMessage' : 'chat.update';
      state.rateLimitHits.push({ method, channel, retryAfter: wait });
      return {
        status: 429,
        body: { ok: false, error: 'ratelimited' },
        headers: { 'retry-after': String(wait) },
      };
    },
  };
  return state;
}
