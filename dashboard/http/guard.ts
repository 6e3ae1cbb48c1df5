import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { rateLimiter } from 'hono-rate-limiter';
import { isLoopbackHost, tokensEqual } from '../auth.ts';
import type { DashboardEnv } from './app.ts';
import { errorResponse } from './respond.ts';

/** Name of the cookie that lets a browser read a dashboard whose reads need the token. */
export const READ_COOKIE = 'arena_read';

/**
 * DNS rebinding: a page on evil.example that re-points its name to 127.0.0.1 reaches this server
 * with `Host: evil.example`. Every request (reads too) must name a host this server answers to:
 * loopback, an IP literal (a rebinding attack needs a name it controls), the listen host, the
 * PUBLIC_URL host, or one listed in DASHBOARD_ALLOWED_HOSTS. `exempt` paths (signed chat webhooks)
 * are not checked.
 */
export function hostGuard(opts: {
  allowed: readonly string[];
  exempt?: (path: string) => boolean;
}): MiddlewareHandler<DashboardEnv> {
  const allowed = new Set(opts.allowed.map((h) => h.toLowerCase()));
  return async (c, next) => {
    if (opts.exempt?.(c.req.path)) return next();
    const header = c.req.header('host');
    // HTTP/1.0 clients may send none; a browser always does.
    if (header === undefined) return next();
    const host = hostnameOf(header);
    if (host !== null && (allowed.has(host) || isLoopbackHost(host) || isIpLiteral(host))) return next();
    return errorResponse(
      403,
      'host_not_allowed',
      'This dashboard does not answer to that host name; add it to DASHBOARD_ALLOWED_HOSTS if it is yours',
    );
  };
}

/** The hosts a dashboard answers to by configuration: its listen host and its public URL's host. */
export function configuredHosts(p: { host: string; publicUrl: string; extra?: readonly string[] }): string[] {
  const out = [...(p.extra ?? [])];
  if (p.host !== '0.0.0.0' && p.host !== '::') out.push(p.host);
  try {
    out.push(new URL(p.publicUrl).hostname);
  } catch {
    // A malformed PUBLIC_URL is refused by the config; nothing to add.
  }
  return out.map((h) => h.toLowerCase().replace(/^\[|\]$/g, ''));
}

/**
 * With DASHBOARD_REQUIRE_TOKEN_FOR_READS, the JSON API, the event stream and /metrics answer only
 * to `Authorization: Bearer <DASHBOARD_TOKEN>` or to the cookie a browser gets by opening
 * `/?token=<DASHBOARD_TOKEN>` once (HttpOnly, SameSite=Strict, a digest of the token, not the
 * token). The page, its assets, avatars (chat platforms fetch them) and /api/health stay open.
 */
export function readGuard(opts: {
  token: string;
  isRead: (path: string) => boolean;
}): MiddlewareHandler<DashboardEnv> {
  const digest = cookieValue(opts.token);
  return async (c, next) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'HEAD') return next();
    const given = new URL(c.req.url).searchParams.get('token');
    if (c.req.path === '/' && given !== null) {
      if (!tokensEqual(given, opts.token))
        return errorResponse(401, 'unauthorized', 'The dashboard token is wrong');
      setCookie(c, READ_COOKIE, digest, { httpOnly: true, sameSite: 'Strict', path: '/' });
      // Off the address bar and out of the history at once.
      return c.redirect('/', 303);
    }
    if (!opts.isRead(c.req.path)) return next();
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header('authorization')?.trim() ?? '')?.[1]?.trim();
    const cookie = getCookie(c, READ_COOKIE);
    if ((bearer && tokensEqual(bearer, opts.token)) || (cookie && tokensEqual(cookie, digest))) return next();
    return errorResponse(
      401,
      'token_required',
      'This dashboard needs its token to read: send Authorization: Bearer <DASHBOARD_TOKEN>, or open /?token=<DASHBOARD_TOKEN> once',
    );
  };
}

function cookieValue(token: string): string {
  return createHash('sha256').update(`arena-read:${token}`).digest('base64url');
}

/** At most `max` open event streams; more get 503 and a Retry-After, not a slot. */
export function streamCap(opts: { open: () => number; max: number }): MiddlewareHandler<DashboardEnv> {
  return async (_c, next) => {
    if (opts.open() >= opts.max) {
      const res = errorResponse(
        503,
        'too_many_streams',
        `This dashboard serves at most ${opts.max} live pages`,
      );
      res.headers.set('retry-after', '30');
      return res;
    }
    return next();
  };
}

/**
 * Actions per minute per caller (hono-rate-limiter, in-memory fixed window): the caller is the
 * token when one is configured (checked before this runs), otherwise the client address.
 */
export function actionRateLimit(opts: {
  perMinute: number;
  token?: string | undefined;
}): MiddlewareHandler<DashboardEnv> {
  const tokenKey = opts.token
    ? `token:${createHash('sha256').update(opts.token).digest('hex').slice(0, 16)}`
    : null;
  return rateLimiter<DashboardEnv>({
    windowMs: 60_000,
    limit: opts.perMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => tokenKey ?? `addr:${c.env?.remoteAddress ?? 'unknown'}`,
    statusCode: 429,
    message: {
      error: {
        code: 'rate_limited',
        message: `At most ${opts.perMinute} actions a minute; try again shortly`,
      },
    },
  });
}

function hostnameOf(header: string): string | null {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : null;
  }
  const colon = h.lastIndexOf(':');
  // More than one colon without brackets is not a valid Host.
  if (colon !== h.indexOf(':')) return null;
  return (colon >= 0 ? h.slice(0, colon) : h).replace(/\.$/, '');
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || (host.includes(':') && /^[0-9a-f:.]+$/.test(host));
}
