// Talking to the server: JSON reads, token-guarded actions, and the live event stream.

const TOKEN_KEY = 'arena.token';

export async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

export function savedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {}
}

/** POSTs an action; the answer says whether it worked or why not (`status`, `code`, `message`). */
export async function postAction(path, body) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const token = savedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { method: 'POST', headers, body: JSON.stringify(body ?? {}) });
  const json = await res.json().catch(() => null);
  if (res.ok) return { ok: true, status: res.status, body: json };
  return {
    ok: false,
    status: res.status,
    code: json?.error?.code ?? 'http_error',
    message: json?.error?.message ?? `HTTP ${res.status}`,
  };
}

/**
 * Follows /api/events. The browser reconnects by itself and sends Last-Event-ID, so the server
 * replays what was missed; `since` covers the gap between the page's snapshot and the first connect.
 */
export function connectEvents(since, handlers) {
  const source = new EventSource(`/api/events?since=${encodeURIComponent(since ?? '')}`);
  const parse = (fn) => (e) => {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch {
      return;
    }
    fn(data, e.lastEventId);
  };
  source.onmessage = parse(handlers.event);
  source.addEventListener('delta', parse(handlers.delta));
  source.addEventListener('partial', parse(handlers.partial));
  source.addEventListener('system', parse(handlers.system));
  source.addEventListener('resync', parse(handlers.resync));
  source.onopen = () => handlers.connection(true);
  source.onerror = () => handlers.connection(false);
  return source;
}
