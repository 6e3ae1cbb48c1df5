import { redact } from '../../engine/log.ts';

/** A request that cannot be served, with the HTTP status and a stable machine code. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. `retry-after` on a 503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Everything is served from this origin: no CDN, no inline script, no third-party connection.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export function withSecurityHeaders(headers: Record<string, string>): Headers {
  return new Headers({ ...SECURITY_HEADERS, ...headers });
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: withSecurityHeaders({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    }),
  });
}

/** The one JSON error shape: `{ error: { code, message, details? } }`. */
export function errorResponse(status: number, code: string, message: string, details?: unknown): Response {
  const error: Record<string, unknown> = { code, message: redact(message) };
  if (details !== undefined) error.details = details;
  return json({ error }, status);
}

export function fromHttpError(error: HttpError): Response {
  const res = errorResponse(error.status, error.code, error.message, error.details);
  for (const [name, value] of Object.entries(error.headers ?? {})) res.headers.set(name, value);
  return res;
}
