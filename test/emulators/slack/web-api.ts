import type { EmulatorState } from './state.ts';
import type { SlackMessage } from './types.ts';

export interface ApiAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const ok = (body: Record<string, unknown> = {}): ApiAnswer => ({ status: 200, body: { ok: true, ...body } });
const err = (error: string, status = 200): ApiAnswer => ({ status, body: { ok: false, error } });

/** Slack's message shape on the wire. */
export function wireMessage(m: SlackMessage): Record<string, unknown> {
  const { history: _h, deleted: _d, channel: _c, ...rest } = m;
  return { type: 'message', ...(m.bot_id ? { subtype: m.subtype ?? 'bot_message' } : {}), ...rest };
}

type Method = (s: EmulatorState, body: Record<string, string>, token: string) => ApiAnswer;

const needBot = (s: EmulatorState, token: string) => token === s.botToken;

const METHODS: Record<string, Method> = {
  'auth.test': (s, _b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    return {
      ...ok({
        url: `https://${s.teamDomain}.slack.com/`,
        team: 'Emulated',
        user: 'arena',
        team_id: s.teamId,
        user_id: s.botUserId,
        bot_id: s.botId,
        is_enterprise_install: false,
      }),
      headers: { 'x-oauth-scopes': s.scopes.join(',') },
    };
  },
  'apps.connections.open': (s, _b, token) => {
    if (token !== s.appToken) return err('invalid_auth');
    return ok({ url: `${s.wsUrl}/link/?ticket=${s.nextId('T')}` });
  },
  'chat.postMessage': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    if (!s.channels.has(b.channel ?? '')) return err('channel_not_found');
    if ((b.username || b.icon_url) && !s.scopes.includes('chat:write.customize')) return err('missing_scope');
    const limited = s.limit('postMessage', b.channel!);
    if (limited) return limited;
    if (b.thread_ts && !s.messages.some((m) => m.channel === b.channel && m.ts === b.thread_ts))
      return err('thread_not_found');
    const text = b.text ?? '';
    if (text.length > 40_000) return err('msg_too_long');
    const message: SlackMessage = {
      channel: b.channel!,
      ts: s.nextTs(),
      text,
      bot_id: s.botId,
      app_id: s.appId,
      history: [text],
      ...(b.thread_ts ? { thread_ts: b.thread_ts } : {}),
      ...(b.username ? { username: b.username } : {}),
      ...(b.icon_url ? { icon_url: b.icon_url } : {}),
      ...(b.blocks ? { blocks: JSON.parse(b.blocks) as unknown[] } : {}),
    };
    s.messages.push(message);
    return ok({ channel: message.channel, ts: message.ts, message: wireMessage(message) });
  },
  'chat.update': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    const m = s.messages.find((x) => x.channel === b.channel && x.ts === b.ts && !x.deleted);
    if (!m) return err('message_not_found');
    if (!m.bot_id) return err('cant_update_message');
    const limited = s.limit('update', b.channel!);
    if (limited) return limited;
    m.text = b.text ?? m.text;
    m.history.push(m.text);
    if (b.blocks !== undefined) m.blocks = JSON.parse(b.blocks) as unknown[];
    m.edited = { ts: s.nextTs() };
    return ok({ channel: m.channel, ts: m.ts, text: m.text });
  },
  'chat.delete': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    const m = s.messages.find((x) => x.channel === b.channel && x.ts === b.ts && !x.deleted);
    if (!m) return err('message_not_found');
    m.deleted = true;
    return ok({ channel: m.channel, ts: m.ts });
  },
  'conversations.replies': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    const all = s.messages.filter(
      (m) => m.channel === b.channel && !m.deleted && (m.ts === b.ts || m.thread_ts === b.ts),
    );
    if (all.length === 0) return err('thread_not_found');
    const limit = Math.min(Number(b.limit ?? 1000) || 1000, 1000);
    const start = Number(b.cursor ?? 0) || 0;
    const page = all.slice(start, start + limit);
    const more = start + limit < all.length;
    return ok({
      messages: page.map(wireMessage),
      has_more: more,
      response_metadata: { next_cursor: more ? String(start + limit) : '' },
    });
  },
  'users.info': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    const u = s.users.get(b.user ?? '');
    if (!u) return err('user_not_found');
    return ok({
      user: {
        id: u.id,
        team_id: s.teamId,
        name: u.name,
        real_name: u.name,
        is_admin: u.is_admin,
        is_owner: u.is_owner,
        profile: { display_name: u.name, real_name: u.name },
      },
    });
  },
  'files.getUploadURLExternal': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    if (!s.scopes.includes('files:write')) return err('missing_scope');
    const id = s.nextId('F');
    s.files.set(id, { id, name: b.filename ?? 'file', length: Number(b.length), content: '' });
    return ok({ upload_url: `${s.httpUrl}/upload/${id}`, file_id: id });
  },
  'files.completeUploadExternal': (s, b, token) => {
    if (!needBot(s, token)) return err('invalid_auth');
    const files = JSON.parse(b.files ?? '[]') as Array<{ id: string; title?: string }>;
    const done = [];
    for (const f of files) {
      const file = s.files.get(f.id);
      if (!file) return err('file_not_found');
      if (file.content.length === 0) return err('file_not_uploaded');
      if (b.channel_id) file.channel = b.channel_id;
      if (b.thread_ts) file.thread_ts = b.thread_ts;
      if (b.initial_comment) file.initial_comment = b.initial_comment;
      done.push({ id: file.id, name: file.name, title: f.title ?? file.name });
    }
    if (b.channel_id) {
      const text = b.initial_comment ?? '';
      s.messages.push({
        channel: b.channel_id,
        ts: s.nextTs(),
        text,
        bot_id: s.botId,
        app_id: s.appId,
        subtype: 'file_share',
        files: done.map((f) => ({ id: f.id, name: f.name })),
        history: [text],
        ...(b.thread_ts ? { thread_ts: b.thread_ts } : {}),
      });
    }
    return ok({ files: done });
  },
};

/** Answers one Web API call; `failNext` faults are applied by the caller. */
export function callMethod(
  s: EmulatorState,
  method: string,
  body: Record<string, string>,
  token: string,
): ApiAnswer {
  const run = METHODS[method];
  if (!run) return err('unknown_method', 404);
  return run(s, body, token);
}
