import type { Config } from '../config.ts';
import { RuntimeFailure, TryLaterFailure, UsageError } from '../errors.ts';

/**
 * The HTTP API of a running `arena start`, for terminal commands while it holds the embedded
 * database (PGlite allows one process per data dir). Its answers are the truth; its refusals
 * become the CLI's own (400/404 usage, 503 try later unless its model provider is down, anything
 * else a one-line failure).
 */
export interface ArenaServer {
  url: string;
  get<T>(path: string): Promise<T>;
  /** GET, with null for a 404. */
  find<T>(path: string): Promise<T | null>;
  post<T>(path: string, body: unknown): Promise<T>;
  /** Server-sent events from `/api/events`, reconnecting with Last-Event-ID until `signal` aborts. */
  events(signal: AbortSignal): AsyncGenerator<ServerEvent>;
}

export interface ServerEvent {
  /** The SSE event name: null for arena events, else `delta`, `partial`, `resync`, `system`. */
  name: string | null;
  data: unknown;
}

/** The running server's own address, from the same settings it started with. */
export function dashboardAddress(config: Pick<Config, 'DASHBOARD_HOST' | 'DASHBOARD_PORT'>): string {
  const h = config.DASHBOARD_HOST;
  const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '[::1]' : h.includes(':') ? `[${h}]` : h;
  return `http://${host}:${config.DASHBOARD_PORT}`;
}

/** The server at the configured dashboard address when it answers its health check, else null. */
export async function findRunningServer(
  config: Pick<Config, 'DASHBOARD_HOST' | 'DASHBOARD_PORT' | 'DASHBOARD_TOKEN'>,
): Promise<ArenaServer | null> {
  const url = dashboardAddress(config);
  try {
    const res = await fetch(`${url}/api/health`, {
      headers: authHeader(config.DASHBOARD_TOKEN),
      signal: AbortSignal.timeout(2000),
    });
    await res.body?.cancel();
    // 503 is an answer too: the server is there, its database is not (yet).
    if (res.status !== 200 && res.status !== 503) return null;
  } catch {
    return null;
  }
  return arenaServer(url, config.DASHBOARD_TOKEN);
}

export function arenaServer(url: string, token?: string): ArenaServer {
  const headers = { accept: 'application/json', ...authHeader(token) };
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: unknown) => {
      throw new RuntimeFailure(`the running arena at ${url} does not answer (${errorText(error)})`);
    });
    return res;
  };
  const read = async <T>(res: Response, path: string): Promise<T> => {
    if (res.ok) return (await res.json()) as T;
    throw await refusal(res, url, path);
  };
  return {
    url,
    get: async (path) => read(await request('GET', path), path),
    async find(path) {
      const res = await request('GET', path);
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      return read(res, path);
    },
    post: async (path, body) => read(await request('POST', path, body), path),
    events: (signal) => followEvents(url, token, signal),
  };
}

function authHeader(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** The server's `{ error: { code, message } }` as the CLI's own error. */
async function refusal(res: Response, url: string, path: string): Promise<Error> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const message = body?.error?.message ?? `answered ${res.status} for ${path}`;
  if (res.status === 400 || res.status === 404) return new UsageError(message);
  // Its model provider does not answer: waiting will not help, the message says what to do.
  if (res.status === 503 && body?.error?.code === 'llm_unreachable')
    return new RuntimeFailure(`the running arena at ${url} cannot start a debate: ${message}`);
  if (res.status === 503) {
    const after = res.headers.get('retry-after');
    return new TryLaterFailure(`${message}${after ? `; try again in about ${after} s` : ''}`);
  }
  if (res.status === 401 || res.status === 403)
    return new RuntimeFailure(
      `the running arena at ${url} refused: ${message} (set the same DASHBOARD_TOKEN)`,
    );
  return new RuntimeFailure(`the running arena at ${url}: ${message}`);
}

async function* followEvents(
  url: string,
  token: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<ServerEvent> {
  let lastId: string | null = null;
  let failures = 0;
  while (!signal.aborted) {
    let res: Response;
    try {
      res = await fetch(`${url}/api/events`, {
        headers: {
          accept: 'text/event-stream',
          ...authHeader(token),
          ...(lastId ? { 'last-event-id': lastId } : {}),
        },
        signal,
      });
    } catch (error) {
      if (signal.aborted) return;
      // A restart of the server takes a few seconds; longer than that, it is gone.
      if (++failures > 10) throw new RuntimeFailure(`lost the running arena at ${url} (${errorText(error)})`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    if (!res.ok || !res.body) throw await refusal(res, url, '/api/events');
    failures = 0;
    // The first frame (`: connected`) tells the caller the stream is open.
    yield { name: 'open', data: null };
    try {
      for await (const frame of sseFrames(res.body)) {
        if (frame.id) lastId = frame.id;
        yield { name: frame.event, data: frame.data === '' ? null : JSON.parse(frame.data) };
      }
    } catch (error) {
      if (signal.aborted) return;
      if (++failures > 10) throw new RuntimeFailure(`lost the running arena at ${url} (${errorText(error)})`);
    }
  }
}

interface Frame {
  id: string | null;
  event: string | null;
  data: string;
}

/** The frames of a text/event-stream body (comments and `retry:` skipped). */
async function* sseFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  const decoder = new TextDecoder();
  let buffer = '';
  let frame: Frame = { id: null, event: null, data: '' };
  let hasData = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
      if (line === '') {
        if (hasData) yield frame;
        frame = { id: null, event: null, data: '' };
        hasData = false;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'id') frame.id = value;
      else if (field === 'event') frame.event = value;
      else if (field === 'data') {
        frame.data = hasData ? `${frame.data}\n${value}` : value;
        hasData = true;
      }
    }
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : error.message;
  }
  return String(error);
}
