import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackBot } from '../../bot/slack/app.ts';
import { SlackHttpReceiver } from '../../bot/slack/http-receiver.ts';
import { systemClock } from '../../engine/clock.ts';
import { silentLogger } from '../../engine/log.ts';
import { builtinCatalog } from '../../personas/index.ts';
import { smallCast } from '../discord/arena-world.ts';
import { FULL_SCOPES, type SlackEmulator, sign, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from './slack-world.ts';

describe.each(testDialects())('Slack requests at /slack/events on %s', (dialect) => {
  let t: TestDatabase;
  let emu: SlackEmulator;
  let instance: SlackInstance;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    emu = await startSlackEmulator();
    const personas = smallCast(await builtinCatalog());
    instance = await startSlackInstance({ db: t.db, emu, llm: createFakeLlm(), personas, mode: 'http' });
  });
  afterAll(async () => {
    await instance?.kill();
    await emu?.close();
    await t.dispose();
  });

  const command = (text: string) =>
    new URLSearchParams({
      team_id: emu.seed.teamId,
      channel_id: emu.seed.ideas,
      user_id: emu.seed.alice,
      user_name: 'alice',
      command: '/arena',
      text,
      response_url: `${emu.state.httpUrl}/respond/R0SIG`,
      trigger_id: 'x',
    }).toString();
  const FORM = 'application/x-www-form-urlencoded';

  it('answers url_verification with the challenge', async () => {
    const r = await emu.postRaw(
      JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' }),
      'application/json',
    );
    expect(r).toEqual({ status: 200, body: { challenge: 'c-123' } });
  });

  it('refuses a bad signature, a stale timestamp and a replay with another timestamp (401), doing nothing', async () => {
    const before = emu.calls.length;
    const body = command('start Forged debate');
    expect((await emu.postRaw(body, FORM, { signature: 'v0=deadbeef' })).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await emu.postRaw(body, FORM, { timestamp: old })).status).toBe(401);
    // A captured request replayed later: its signature was made for the old timestamp.
    const captured = sign(emu.signingSecret, old, body);
    expect((await emu.postRaw(body, FORM, { signature: captured })).status).toBe(401);
    expect((await emu.postRaw('{}', 'application/json', { signature: '' })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(emu.calls.length).toBe(before);
    expect(emu.responsesFor('R0SIG')).toEqual([]);
    expect(emu.roots(emu.seed.ideas)).toEqual([]);
  });

  it('answers malformed commands with a helpful ephemeral message', async () => {
    const ask = async (text: string) => {
      const r = await emu.slashCommand({ user: emu.seed.alice, channel: emu.seed.ideas, text });
      expect(r.status).toBe(200);
      return emu.waitFor(() => emu.responsesFor(r.responseId)[0], 20_000, `answer to ${text}`);
    };
    const typo = await ask('strat a debate');
    expect(typo).toMatchObject({ response_type: 'ephemeral' });
    expect(typo.text).toContain('Did you mean `/arena start`?');
    expect((await ask('start a fine idea rounds:99')).text).toMatch(
      /Rounds must be a whole number from 1 to 10/,
    );
    expect((await ask('start')).text).toMatch(/The idea is empty/);
    expect((await ask('personas sideways')).text).toMatch(/Phase must be one of/);
    expect((await ask('export pdf')).text).toMatch(/Export as `md`/);
    const pause = await emu.slashCommand({ user: emu.seed.admin, channel: emu.seed.ideas, text: 'pause' });
    expect((await emu.waitFor(() => emu.responsesFor(pause.responseId)[0], 20_000, 'pause')).text).toMatch(
      /debate thread/,
    );
    const help = await ask('');
    expect(help.text).toContain('/arena start');
    expect(help.text).toContain('/arena help');
    expect(emu.roots(emu.seed.ideas)).toEqual([]);
  });

  it('refuses to start when the token lacks chat:write.customize, naming the scope', async () => {
    const narrow = await startSlackEmulator({
      scopes: FULL_SCOPES.filter((s) => s !== 'chat:write.customize'),
    });
    try {
      await expect(
        startSlackBot({
          botToken: narrow.botToken,
          mode: { kind: 'http', receiver: new SlackHttpReceiver({ signingSecret: 's', log: silentLogger }) },
          apiUrl: narrow.apiUrl,
          arena: instance.arena,
          bus: { publish: async () => {}, subscribe: () => () => {} } as never,
          db: t.db,
          personas: [],
          publicUrl: 'https://arena.example',
          log: silentLogger,
          clock: systemClock,
        }),
      ).rejects.toThrow(/chat:write\.customize/);
    } finally {
      await narrow.close();
    }
  });
});
