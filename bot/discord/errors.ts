import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../platform.ts';

/** Discord JSON error codes the bot reacts to. */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownWebhook: 10015,
  MaxWebhooks: 30007,
  MissingAccess: 50001,
  MissingPermissions: 50013,
  InvalidFormBody: 50035,
  ThreadArchived: 50083,
} as const;

export function discordCode(error: unknown): number | null {
  return error instanceof DiscordAPIError && typeof error.code === 'number' ? error.code : null;
}

/**
 * Classifies a failed REST call for delivery. Messages never include the request URL, which for
 * webhook calls carries the webhook's token.
 */
export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof RateLimitError) {
    return new DeliveryError('retryable', `rate limited on ${error.route}`, error.retryAfter);
  }
  if (error instanceof DiscordAPIError) {
    const what = `Discord ${error.status} (${error.code}): ${error.message}`;
    switch (error.code) {
      case DiscordCode.UnknownMessage:
        return new DeliveryError('unknown_post', what);
      case DiscordCode.UnknownChannel:
      case DiscordCode.MissingAccess:
      case DiscordCode.MissingPermissions:
        return new DeliveryError('gone', what);
    }
    if (error.status === 429 || error.status >= 500) return new DeliveryError('retryable', what);
    return new DeliveryError('rejected', what);
  }
  if (error instanceof HTTPError) {
    return new DeliveryError(
      error.status === 429 || error.status >= 500 ? 'retryable' : 'rejected',
      `Discord HTTP ${error.status}`,
    );
  }
  // Network failures, timeouts and aborted requests: nothing says the post is unwanted.
  const message = error instanceof Error ? error.message : String(error);
  return new DeliveryError('retryable', message.replace(/\/webhooks\/\d+\/[^/?\s]+/g, '/webhooks/…'));
}
