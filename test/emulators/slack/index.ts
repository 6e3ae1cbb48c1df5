/**
 * A small Slack emulator for driving the real Bolt app: the Web API methods the arena uses
 * (`auth.test` with `x-oauth-scopes`, chat.postMessage / chat.update / chat.delete with per-channel
 * limits answering 429 + Retry-After, conversations.replies, users.info, the two file-upload calls and
 * the upload URL, apps.connections.open), response_url, and inbound traffic either as signed HTTP
 * requests to the app's Request URL or as Socket Mode envelopes that the app must ack.
 *
 *   const emu = await startSlackEmulator({ rateLimits: { postMessage: { limit: 50, windowMs: 1000 } } });
 *   emu.useHttp(`${dashboardUrl}/slack/events`);   // or leave unset and let the app connect in Socket Mode
 *   const r = await emu.slashCommand({ user: emu.seed.alice, channel: emu.seed.ideas, text: 'start Tax robots' });
 *   emu.thread(channel, ts); emu.responses; emu.calls; emu.rateLimitHits; emu.files
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { createSocketSide, type Delivered, postSigned } from './inbound.ts';
import { createState, type EmulatorState } from './state.ts';
import type { SlackEmulatorOptions, SlackMessage } from './types.ts';
import { callMethod, wireMessage } from './web-api.ts';

export type { Delivered } from './inbound.ts';
export { sign } from './inbound.ts';
export type * from './types.ts';

/** Every scope bot/slack/manifest.yml asks for. */
export const FULL_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.customize',
  'channels:history',
  'groups:history',
  'files:write',
  'users:read',
  'app_mentions:read',
];

export type SlackEmulator = ReturnType<typeof wrap>;

export async function startSlackEmulator(opts: SlackEmulatorOptions = {}) {
  const state = createState({
    scopes: opts.scopes ?? FULL_SCOPES,
    rules: {
      postMessage: opts.rateLimits?.postMessage ?? { limit: 1000, windowMs: 1000 },
      update: opts.rateLimits?.update ?? { limit: 1000, windowMs: 1000 },
    },
  });
  const socketSide = createSocketSide(opts.ackDeadlineMs ?? 3000);
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://emulator');
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
      if (api && req.method === 'POST') {
        const body = parseBody(raw, req.headers['content-type'] ?? '');
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? body.token ?? '';
        const method = api[1]!;
        const fault = state.faults.find((f) => f.method === method && f.count > 0);
        let answer: ReturnType<typeof callMethod>;
        if (fault) {
          fault.count--;
          answer = {
            status: fault.status,
            body: { ok: false, error: fault.error },
            ...(fault.headers ? { headers: fault.headers } : {}),
          };
        } else answer = callMethod(state, method, body, auth);
        state.calls.push({ method, body, at: Date.now(), status: answer.status });
        send(answer.status, answer.body, answer.headers);
        return;
      }
      const upload = /^\/upload\/(\w+)$/.exec(url.pathname);
      if (upload && req.method === 'POST') {
        const file = state.files.get(upload[1]!);
        if (!file) return send(404, { ok: false });
        file.content = raw;
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`OK - ${raw.length}`);
        return;
      }
      const respond = /^\/respond\/(\w+)$/.exec(url.pathname);
      if (respond && req.method === 'POST') {
        state.responses.push({ id: respond[1]!, body: JSON.parse(raw || '{}') });
        return send(200, { ok: true });
      }
      send(404, { ok: false, error: 'not_found' });
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/link')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => socketSide.attach(ws, state.appId));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  state.httpUrl = `http://127.0.0.1:${port}`;
  state.wsUrl = `ws://127.0.0.1:${port}`;
  return wrap(state, server, wss, socketSide);
}

function wrap(
  state: EmulatorState,
  server: Server,
  wss: WebSocketServer,
  socketSide: ReturnType<typeof createSocketSide>,
) {
  let eventsUrl: string | null = null;
  const seed = {
    teamId: state.teamId,
    ideas: 'C0IDEAS001',
    general: 'C0GENERAL1',
    alice: 'U0ALICE001',
    bob: 'U0BOB00001',
    admin: 'U0ADMIN001',
  };

  /** Delivers one inbound request the way the app is connected (HTTP if a URL is set). */
  const deliver = (
    kind: 'slash_commands' | 'events_api' | 'interactive',
    payload: Record<string, unknown>,
  ): Promise<Delivered> => {
    if (eventsUrl) {
      if (kind === 'events_api')
        return postSigned(eventsUrl, state.signingSecret, JSON.stringify(payload), 'application/json');
      const form =
        kind === 'interactive'
          ? new URLSearchParams({ payload: JSON.stringify(payload) })
          : new URLSearchParams(payload as Record<string, string>);
      return postSigned(eventsUrl, state.signingSecret, form.toString(), 'application/x-www-form-urlencoded');
    }
    return socketSide.send(kind, payload);
  };
  const userName = (id: string) => state.users.get(id)?.name ?? id;
  const responseUrl = () => `${state.httpUrl}/respond/${state.nextId('R')}`;

  const eventCallback = (event: Record<string, unknown>) => ({
    token: 'legacy-verification-token',
    team_id: state.teamId,
    api_app_id: state.appId,
    event: { event_ts: event.ts ?? state.nextTs(), ...event },
    type: 'event_callback',
    event_id: state.nextId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: state.teamId, user_id: state.botUserId, is_bot: true }],
  });

  return {
    seed,
    apiUrl: `${state.httpUrl}/api/`,
    botToken: state.botToken,
    appToken: state.appToken,
    signingSecret: state.signingSecret,
    state,
    get calls() {
      return state.calls;
    },
    get responses() {
      return state.responses;
    },
    get rateLimitHits() {
      return state.rateLimitHits;
    },
    get files() {
      return [...state.files.values()];
    },
    socketAcks: socketSide.acks,
    socketConnected: () => socketSide.connected(),
    /** How many Socket Mode connections the app holds (one per process running Socket Mode). */
    socketConnections: () => socketSide.connections(),
    /** Inbound traffic goes as signed HTTP requests to this URL from now on. */
    useHttp(url: string) {
      eventsUrl = url;
    },
    /** Inbound traffic goes over the Socket Mode connection again (undoes useHttp). */
    useSocket() {
      eventsUrl = null;
    },
    /** The next `count` calls of `method` fail with this status and error (and headers, e.g. `retry-after`). */
    failNext(method: string, status: number, error: string, count = 1, headers?: Record<string, string>) {
      state.faults.push({ method, status, error, count, ...(headers ? { headers } : {}) });
    },
    /** A person types `/arena <text>` in a channel. */
    slashCommand(input: { user: string; channel: string; text: string }) {
      const url = responseUrl();
      const payload = {
        token: 'legacy-verification-token',
        team_id: state.teamId,
        team_domain: state.teamDomain,
        channel_id: input.channel,
        channel_name: state.channels.get(input.channel)?.name ?? 'unknown',
        user_id: input.user,
        user_name: userName(input.user),
        command: '/arena',
        text: input.text,
        api_app_id: state.appId,
        response_url: url,
        trigger_id: state.nextId('Tr'),
      };
      return deliver('slash_commands', payload).then((d) => ({ ...d, responseId: url.split('/').pop()! }));
    },
    /** A person writes in a channel or thread; the app gets a `message` event. */
    postAsUser(input: { user: string; channel: string; text: string; threadTs?: string }) {
      const message: SlackMessage = {
        channel: input.channel,
        ts: state.nextTs(),
        text: input.text,
        user: input.user,
        history: [input.text],
        ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
      };
      state.messages.push(message);
      const { history: _h, ...fields } = message;
      return deliver(
        'events_api',
        eventCallback({ type: 'message', channel_type: 'channel', ...fields }),
      ).then((d) => ({ ...d, ts: message.ts }));
    },
    /** Sends any event (edits, deletes, joins, bot echoes) as Slack would wrap it. */
    sendEvent(event: Record<string, unknown>) {
      return deliver('events_api', eventCallback(event));
    },
    /** A person presses a Block Kit button on a message. */
    clickButton(input: {
      user: string;
      channel: string;
      messageTs: string;
      actionId: string;
      value?: string;
    }) {
      const message = state.messages.find((m) => m.channel === input.channel && m.ts === input.messageTs);
      const url = responseUrl();
      const payload = {
        type: 'block_actions',
        user: {
          id: input.user,
          username: userName(input.user),
          name: userName(input.user),
          team_id: state.teamId,
        },
        api_app_id: state.appId,
        token: 'legacy-verification-token',
        container: {
          type: 'message',
          message_ts: input.messageTs,
          channel_id: input.channel,
          is_ephemeral: false,
        },
        trigger_id: state.nextId('Tr'),
        team: { id: state.teamId, domain: state.teamDomain },
        channel: { id: input.channel, name: state.channels.get(input.channel)?.name ?? 'unknown' },
        message: message ? wireMessage(message) : { ts: input.messageTs },
        response_url: url,
        actions: [
          {
            action_id: input.actionId,
            block_id: 'arena-controls',
            value: input.value ?? input.actionId,
            type: 'button',
            action_ts: String(Date.now() / 1000),
          },
        ],
      };
      return deliver('interactive', payload).then((d) => ({ ...d, responseId: url.split('/').pop()! }));
    },
    /** A raw request to the app's Request URL (for signature tests). */
    postRaw(body: string, contentType: string, opts: { timestamp?: number; signature?: string } = {}) {
      if (!eventsUrl) throw new Error('useHttp() first');
      return postSigned(eventsUrl, state.signingSecret, body, contentType, opts);
    },
    /** Messages of a thread, root first, oldest first (deleted ones left out). */
    thread(channel: string, ts: string) {
      return state.messages.filter(
        (m) => m.channel === channel && !m.deleted && (m.ts === ts || m.thread_ts === ts),
      );
    },
    /** Top-level messages of a channel. */
    roots(channel: string) {
      return state.messages.filter((m) => m.channel === channel && !m.deleted && !m.thread_ts);
    },
    responsesFor(id: string) {
      return state.responses.filter((r) => r.id === id).map((r) => r.body);
    },
    async waitFor<T>(check: () => T | undefined | null | false, ms = 10_000, what = 'condition'): Promise<T> {
      const end = Date.now() + ms;
      for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** Drops every Socket Mode connection (the app should reconnect). */
    dropSocket() {
      socketSide.close();
    },
    async close() {
      socketSide.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseBody(raw: string, type: string): Record<string, string> {
  if (type.includes('application/json')) {
    const parsed = JSON.parse(raw || '{}') as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(raw));
}
