import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http/respond.ts';

export type ActionPolicy = 'token' | 'open-loopback' | 'disabled';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return LOOPBACK_HOSTS.has(h) || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}

/**
 * How actions are guarded: a configured token is always required; without one, actions run only
 * when the server listens on loopback, and are refused entirely otherwise.
 */
export function actionPolicy(config: { host: string; token?: string | undefined }): ActionPolicy {
  if (config.token) return 'token';
  return isLoopbackHost(config.host) ? 'open-loopback' : 'disabled';
}

/** Throws the right 401/403 unless this request may run an action. */
export function authorizeAction(
  request: Request,
  config: { host: string; token?: string | undefined },
): void {
  const policy = actionPolicy(config);
  if (policy === 'disabled') {
    throw new HttpError(
      403,
      'actions_disabled',
      'Actions are disabled: the dashboard listens on a non-loopback host and DASHBOARD_TOKEN is not set',
    );
  }
  if (policy === 'open-loopback') {
    // Without a token, a page on another site must not drive the arena through a visitor's browser.
    // (With a token it cannot anyway: a cross-site request cannot carry the Authorization header.)
    const origin = request.headers.get('origin');
    if (origin && !sameOrigin(origin, request.headers.get('host'))) {
      throw new HttpError(403, 'cross_origin', 'Actions are accepted from the dashboard page only');
    }
    // Without a token, refuse requests whose Host is not loopback (DNS rebinding).
    const host = hostname(request.headers.get('host') ?? '');
    if (host && !isLoopbackHost(host)) {
      throw new HttpError(
        403,
        'actions_disabled',
        'Without DASHBOARD_TOKEN, actions are accepted on loopback only',
      );
    }
    return;
  }
  const header = request.headers.get('authorization') ?? '';
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m)
    throw new HttpError(401, 'unauthorized', 'This action needs Authorization: Bearer <DASHBOARD_TOKEN>');
  if (!tokensEqual(m[1]!.trim(), config.token!)) {
    throw new HttpError(401, 'unauthorized', 'The dashboard token is wrong');
  }
}

/** Constant-time comparison: digests first, so lengths leak nothing either. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function sameOrigin(origin: string, host: string | null): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

function hostname(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0] ?? '';
}
