import { redact } from '../log.ts';
import type { CallGuard } from './call-guard.ts';
import { LlmError } from './types.ts';

/** Removes the given secrets (and anything secret-shaped) from a message bound for logs or errors. */
export function scrub(message: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  // Hosted APIs echo a masked key ("sk-abc***xyz") in 401 bodies: drop even the fragments.
  out = out.replace(/\bsk-[A-Za-z0-9*_.-]{2,}/g, '***');
  return redact(out);
}

const MISSING_MODEL = /model .*not found|does not exist|no such model|model_not_found|unknown model/i;

/** The LlmError for an HTTP error answer. 404 of a model → model_not_found; 429 → rate_limited; 5xx → retryable. */
export function httpError(status: number, message: string, partial = false, retryAfterMs?: number): LlmError {
  if (status === 404 && MISSING_MODEL.test(message)) {
    return new LlmError(message, 'model_not_found', false, { status });
  }
  if (status === 429) return new LlmError(message, 'rate_limited', true, { status, partial, retryAfterMs });
  if (status >= 500) return new LlmError(message, 'server_error', true, { status, partial });
  return new LlmError(message, 'bad_response', false, { status, partial });
}

const CONNECTION =
  /fetch failed|terminated|socket|ECONN|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|other side closed|network|premature close|Did not receive done/i;

/** Maps anything thrown during a call to an LlmError; a fired guard decides timeout vs aborted. */
export function toLlmError(
  err: unknown,
  guard: CallGuard,
  ctx: { partial: boolean; what: string; secrets?: ReadonlyArray<string | undefined> },
): LlmError {
  const partial = ctx.partial;
  const outcome = guard.outcome();
  if (outcome === 'aborted') return new LlmError(`${ctx.what}: aborted`, 'aborted', false, { partial });
  if (outcome === 'timeout') return new LlmError(`${ctx.what}: timed out`, 'timeout', true, { partial });
  if (err instanceof LlmError) {
    return err.partial === partial || !partial
      ? err
      : new LlmError(err.message, err.code, err.retryable, { partial, ...statusOf(err) });
  }
  const message = scrub(describe(err), ctx.secrets);
  const status = (err as { status_code?: unknown }).status_code;
  if (typeof status === 'number') return httpError(status, `${ctx.what}: ${message}`, partial);
  if (CONNECTION.test(message) || CONNECTION.test(describe((err as { cause?: unknown })?.cause))) {
    return new LlmError(`${ctx.what}: connection failed (${message})`, 'connection', true, { partial });
  }
  return new LlmError(`${ctx.what}: ${message}`, 'bad_response', false, { partial });
}

function statusOf(err: LlmError): { status?: number } {
  return err.status === undefined ? {} : { status: err.status };
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${err.message} [${code}]` : err.message;
  }
  return err === undefined ? '' : String(err);
}
