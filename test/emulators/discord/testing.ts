import {
  Client,
  type Client as ClientType,
  type DiscordAPIError,
  Events,
  GatewayIntentBits,
} from 'discord.js';
import { expect } from 'vitest';
import type { DiscordEmulator } from './index.ts';
import type { ViolationKind } from './types.ts';

/** The intents the arena bot needs: guilds, guild messages and the privileged message content. */
export const ARENA_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

/** A real discord.js client logged in to the emulator and past `clientReady`. */
export async function loginDiscordClient(
  emu: DiscordEmulator,
  intents: GatewayIntentBits[] = ARENA_INTENTS,
): Promise<ClientType> {
  const client = new Client({ intents, rest: { api: emu.apiUrl } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.token);
  await ready;
  return client;
}

/** The DiscordAPIError a request failed with (throws if it succeeded or failed otherwise). */
export async function apiErrorOf(promise: Promise<unknown>): Promise<DiscordAPIError> {
  try {
    await promise;
  } catch (err) {
    // Duck-typed: discord.js (CJS) and @discordjs/rest imported as ESM carry different DiscordAPIError classes.
    if (err instanceof Error && 'rawError' in err && 'code' in err) return err as DiscordAPIError;
    throw err;
  }
  throw new Error('expected the request to fail');
}

/** Kinds that always mean an emulator or client bug rather than a provoked refusal. */
export const BUG_KINDS: ViolationKind[] = ['response-spec', 'unknown-route', 'auth', 'gateway'];

/** Asserts no violation of `kinds` was recorded after index `since` (waits for pending validations). */
export async function expectNoViolations(emu: DiscordEmulator, since = 0, kinds = BUG_KINDS): Promise<void> {
  await emu.settle();
  expect(emu.violations.slice(since).filter((v) => kinds.includes(v.kind))).toEqual([]);
}
