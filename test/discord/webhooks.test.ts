import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookManager } from '../../bot/discord/webhooks.ts';
import { getWebhook } from '../../db/repositories/chat.ts';
import { systemClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';
import { type DiscordEmulator, startDiscordEmulator } from '../emulators/discord/index.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { testSecrets } from '../helpers/secrets.ts';

describe.each(testDialects())('channel webhooks on %s', (dialect) => {
  let t: TestDatabase;
  let emu: DiscordEmulator;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await startDiscordEmulator();
  });
  afterAll(async () => {
    await emu.close();
    await t.dispose();
  });

  // Each manager stands for one process: its own REST client and its own claim identity.
  const manager = (instanceId: string) =>
    createWebhookManager({
      rest: new REST({ api: emu.apiUrl }).setToken(emu.token),
      db: t.db,
      applicationId: emu.seed.applicationId,
      instanceId,
      clock: systemClock,
      log: silentLogger,
      secrets: testSecrets,
    });

  it('creates exactly one webhook per channel when two processes race for it', async () => {
    const channel = emu.createChannel({ name: 'race' }).id;
    const [a, b] = [manager('proc-a'), manager('proc-b')];
    const hooks = await Promise.all([
      a.ensure(channel),
      b.ensure(channel),
      a.ensure(channel),
      b.ensure(channel),
      b.ensure(channel),
    ]);
    expect(new Set(hooks.map((h) => h.id)).size).toBe(1);
    expect(emu.webhooks(channel)).toHaveLength(1);
    const stored = await getWebhook(t.db, 'discord', channel);
    expect(stored).toMatchObject({ webhookId: hooks[0]!.id });
    // The token is stored sealed (AES-GCM), never as it is.
    expect(stored!.token).not.toContain(hooks[0]!.token);
    expect(testSecrets.open(stored!.token)).toBe(hooks[0]!.token);
  });

  it('reuses an arena webhook Discord already has instead of creating another', async () => {
    const channel = emu.createChannel({ name: 'known' }).id;
    const first = await manager('proc-c').ensure(channel);
    await t.db.deleteFrom('chat_webhooks').where('channel_id', '=', channel).execute();
    const posts = () =>
      emu.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/webhooks`).length;
    expect(posts()).toBe(1);
    const again = await manager('proc-d').ensure(channel);
    expect(again).toEqual(first);
    expect(posts()).toBe(1);
  });

  it('takes over a claim left by a process that died while creating the webhook', async () => {
    const channel = emu.createChannel({ name: 'stale' }).id;
    await t.db
      .insertInto('chat_webhooks')
      .values({
        platform: 'discord',
        channel_id: channel,
        webhook_id: 'claim:dead',
        token: '',
        created_at: new Date(Date.now() - 60_000),
      })
      .execute();
    const hook = await manager('proc-e').ensure(channel);
    expect(emu.webhooks(channel).map((w) => w.id)).toEqual([hook.id]);
    expect((await getWebhook(t.db, 'discord', channel))!.webhookId).toBe(hook.id);
  });
});
