import { type APIWebhook, type REST, Routes, WebhookType } from 'discord.js';
import type { Kysely } from 'kysely';
import {
  claimWebhookSlot,
  deleteWebhook,
  fulfilWebhookClaim,
  getWebhook,
  takeOverStaleClaim,
  WEBHOOK_CLAIM_PREFIX,
} from '../../db/repositories/chat.ts';
import type { Database } from '../../db/schema.ts';
import type { SecretBox } from '../../db/secrets/secret-box.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Logger } from '../../engine/log.ts';

/** A channel webhook the bot may execute; the token is a secret. */
export interface ChannelHook {
  id: string;
  token: string;
}

export const WEBHOOK_NAME = 'Agentic Arena';
// A claim older than this belongs to a process that died while creating the webhook.
const STALE_CLAIM_MS = 30_000;
const CLAIM_POLL_MS = 100;

export interface WebhookManagerDeps {
  rest: REST;
  db: Kysely<Database>;
  applicationId: string;
  /** Identifies this process in claims, so two processes never both create a webhook. */
  instanceId: string;
  clock: Clock;
  log: Logger;
  /** Seals tokens before they are stored and opens them when read (AES-GCM at rest). */
  secrets: SecretBox;
  signal?: AbortSignal;
}

/** One webhook per parent channel, created once, stored in the database and shared by all threads. */
export interface WebhookManager {
  ensure(channelId: string): Promise<ChannelHook>;
  /** Forgets a webhook Discord no longer knows (10015); the next `ensure` makes a new one. */
  invalidate(channelId: string, webhookId: string): Promise<void>;
  /** The webhook currently used for a channel, if known, without creating one. */
  known(channelId: string): Promise<ChannelHook | null>;
}

export function createWebhookManager(deps: WebhookManagerDeps): WebhookManager {
  const { rest, db, clock } = deps;
  const cache = new Map<string, ChannelHook>();
  // Serialises creation per channel inside this process; the claim row does it across processes.
  const inflight = new Map<string, Promise<ChannelHook>>();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // A plaintext token left by an older version is still usable; the next start seals it.
  const reveal = (token: string) => (deps.secrets.isSealed(token) ? deps.secrets.open(token) : token);

  async function findOurs(channelId: string): Promise<ChannelHook | null> {
    const hooks = (await rest.get(Routes.channelWebhooks(channelId), {
      signal: deps.signal,
    })) as APIWebhook[];
    const ours = hooks.find(
      (h) =>
        h.type === WebhookType.Incoming &&
        h.application_id === deps.applicationId &&
        typeof h.token === 'string',
    );
    return ours ? { id: ours.id, token: ours.token! } : null;
  }

  async function create(channelId: string): Promise<ChannelHook> {
    const reused = await findOurs(channelId);
    if (reused) {
      deps.log.info('reusing the existing arena webhook of a channel', { channel: channelId });
      return reused;
    }
    const made = (await rest.post(Routes.channelWebhooks(channelId), {
      body: { name: WEBHOOK_NAME },
      signal: deps.signal,
    })) as APIWebhook;
    deps.log.info('created the arena webhook of a channel', { channel: channelId });
    return { id: made.id, token: made.token! };
  }

  async function acquire(channelId: string): Promise<ChannelHook> {
    const owner = deps.instanceId;
    for (;;) {
      deps.signal?.throwIfAborted();
      const stored = await getWebhook(db, 'discord', channelId);
      if (stored && !stored.webhookId.startsWith(WEBHOOK_CLAIM_PREFIX)) {
        return { id: stored.webhookId, token: reveal(stored.token) };
      }
      const mine =
        stored?.webhookId === `${WEBHOOK_CLAIM_PREFIX}${owner}` ||
        (!stored && (await claimWebhookSlot(db, 'discord', channelId, owner))) ||
        (stored !== null &&
          (await takeOverStaleClaim(
            db,
            'discord',
            channelId,
            owner,
            new Date(clock.now().getTime() - STALE_CLAIM_MS),
          )));
      if (!mine) {
        // Another process is creating it right now: wait for its row.
        await sleep(CLAIM_POLL_MS);
        continue;
      }
      let hook: ChannelHook;
      try {
        hook = await create(channelId);
      } catch (error) {
        await deleteWebhook(db, 'discord', channelId, `${WEBHOOK_CLAIM_PREFIX}${owner}`).catch(() => {});
        throw error;
      }
      if (
        await fulfilWebhookClaim(db, 'discord', channelId, owner, {
          webhookId: hook.id,
          token: deps.secrets.seal(hook.token),
        })
      ) {
        return hook;
      }
      // Our claim was taken over while we were slow: keep theirs; ours is unused and goes.
      await rest.delete(Routes.webhook(hook.id), { signal: deps.signal }).catch(() => {});
    }
  }

  return {
    async ensure(channelId) {
      const cached = cache.get(channelId);
      if (cached) return cached;
      let pending = inflight.get(channelId);
      if (!pending) {
        pending = acquire(channelId).finally(() => inflight.delete(channelId));
        inflight.set(channelId, pending);
      }
      const hook = await pending;
      cache.set(channelId, hook);
      return hook;
    },
    async invalidate(channelId, webhookId) {
      if (cache.get(channelId)?.id === webhookId) cache.delete(channelId);
      await deleteWebhook(db, 'discord', channelId, webhookId);
    },
    async known(channelId) {
      const cached = cache.get(channelId);
      if (cached) return cached;
      const stored = await getWebhook(db, 'discord', channelId);
      return stored && !stored.webhookId.startsWith(WEBHOOK_CLAIM_PREFIX)
        ? { id: stored.webhookId, token: reveal(stored.token) }
        : null;
    },
  };
}
