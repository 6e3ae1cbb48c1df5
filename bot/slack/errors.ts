import { DeliveryError } from '../platform.ts';

const GONE = new Set([
  'channel_not_found',
  'is_archived',
  'not_in_channel',
  'thread_not_found',
  'account_inactive',
  'invalid_auth',
  'token_revoked',
  'missing_scope',
]);
const UNKNOWN_POST = new Set(['message_not_found', 'cant_update_message', 'cant_delete_message']);
const REJECTED = new Set(['msg_too_long', 'invalid_blocks', 'no_text', 'too_many_attachments']);

/** A WebClient error as a DeliveryError: retry later, the post is gone, or the thread is gone. */
export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = error as { code?: string; data?: { error?: string }; retryAfter?: number; message?: string };
  const message = e?.message ?? String(error);
  if (e?.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? '';
    if (UNKNOWN_POST.has(code)) return new DeliveryError('unknown_post', code);
    if (GONE.has(code)) return new DeliveryError('gone', code);
    if (REJECTED.has(code)) return new DeliveryError('rejected', code);
    return new DeliveryError('retryable', code || message);
  }
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return new DeliveryError('retryable', 'rate limited', (e.retryAfter ?? 1) * 1000);
  }
  // Network errors and 5xx answers WebClient gave up on.
  return new DeliveryError('retryable', message);
}
