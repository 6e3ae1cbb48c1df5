import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { smallCast } from '../discord/arena-world.ts';
import { until } from '../discord/thread-check.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from './slack-world.ts';

describe.each(testDialects())('people and buttons in a Slack debate on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let emu: SlackEmulator;
  let instance: SlackInstance;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
    emu = await startSlackEmulator();
  });
  afterAll(async () => {
    await instance?.kill();
    await emu?.close();
    await t.dispose();
  });

  it('answers a thread reply next (@Handle honoured), ignores bot posts, edits and joins; buttons pause and resume with permissions; export uploads Markdown', async () => {
    const fake = createFakeLlm();
    instance = await startSlackInstance({ db: t.db, emu, llm: fake, personas, mode: 'http' });
    const { alice, bob, admin, ideas } = emu.seed;
    const hold = fake.hold();
    await emu.slashCommand({ user: alice, channel: ideas, text: 'start Peer-to-peer GPU rental rounds:1' });
    const root = await emu.waitFor(() => emu.roots(ideas)[0], 20_000, 'root card');
    const { debate_id: debateId } = await until(
      () =>
        t.db
          .selectFrom('chat_threads')
          .select('debate_id')
          .where('thread_id', '=', root.ts)
          .executeTakeFirst(),
      'binding',
    );
    const debate = async () => (await instance.arena.getDebate(debateId))!;
    const humans = async () => (await debate()).messages.filter((m) => m.authorKind === 'human');

    // The first turn is in flight (held) when Bob asks a persona by handle, in the thread.
    await hold.next();
    await emu.postAsUser({
      user: bob,
      channel: ideas,
      threadTs: root.ts,
      text: 'What about @SecurityParanoid &amp; sybil attacks?',
    });
    await until(async () => (await humans()).length === 1, 'human message');
    // Things that must never join the debate: the app's own echo, another bot, an edit, a delete,
    // a join, and a top-level channel message.
    await emu.sendEvent({
      type: 'message',
      channel: ideas,
      bot_id: emu.state.botId,
      text: 'echo',
      ts: '1.1',
      thread_ts: root.ts,
    });
    await emu.sendEvent({
      type: 'message',
      subtype: 'bot_message',
      channel: ideas,
      bot_id: 'B0OTHER',
      text: 'x',
      ts: '1.2',
      thread_ts: root.ts,
    });
    await emu.sendEvent({
      type: 'message',
      subtype: 'message_changed',
      channel: ideas,
      message: { type: 'message', user: bob, text: 'edited', ts: '1.3', thread_ts: root.ts },
      ts: '1.4',
    });
    await emu.sendEvent({
      type: 'message',
      subtype: 'message_deleted',
      channel: ideas,
      ts: '1.5',
      deleted_ts: '1.3',
    });
    await emu.sendEvent({
      type: 'message',
      subtype: 'channel_join',
      channel: ideas,
      user: bob,
      text: 'joined',
      ts: '1.6',
    });
    await emu.postAsUser({ user: bob, channel: ideas, text: 'top-level chatter' });
    // The held turn and the answer to Bob go through; the turn after them is held, so the debate is
    // still running when the buttons are pressed (an instant fake could otherwise finish it first).
    const answering = fake.hold();
    hold.release();
    await answering.next();
    const held = fake.hold();
    answering.release();

    const first = (await humans())[0]!;
    expect(first).toMatchObject({
      agentName: 'bob',
      agentId: `slack:${bob}`,
      content: 'What about @SecurityParanoid & sybil attacks?',
    });
    const answer = await until(
      async () =>
        (await debate()).messages.find((m) => m.authorKind === 'persona' && m.references.includes(first.id)),
      'answer to Bob',
    );
    expect(answer.agentId).toBe('security_paranoid');
    expect((await humans()).length).toBe(1);

    // Buttons on the root card: Bob (neither starter nor admin) is refused, privately; Alice pauses.
    await held.next();
    const refused = await emu.clickButton({
      user: bob,
      channel: ideas,
      messageTs: root.ts,
      actionId: 'arena_pause',
    });
    expect(refused.status).toBe(200);
    const refusal = await emu.waitFor(() => emu.responsesFor(refused.responseId)[0], 20_000, 'refusal');
    expect(refusal.response_type).toBe('ephemeral');
    expect(refusal.text).toMatch(/Only the person who started it, workspace admins/);
    expect((await debate()).status).toBe('active');

    await emu.clickButton({ user: alice, channel: ideas, messageTs: root.ts, actionId: 'arena_pause' });
    await until(async () => (await debate()).status === 'paused', 'paused');
    const card = await emu.waitFor(
      () => emu.thread(ideas, root.ts)[0]!.history.length > 1 && emu.thread(ideas, root.ts)[0],
      20_000,
      'card update',
    );
    expect(card.text).toMatch(/Paused by <@U0ALICE001>/);
    expect(JSON.stringify(card.blocks)).toContain('arena_resume');
    expect(JSON.stringify(card.blocks)).not.toContain('arena_pause');
    held.release();

    // A workspace admin may resume a debate someone else started.
    await emu.clickButton({ user: admin, channel: ideas, messageTs: root.ts, actionId: 'arena_resume' });
    await until(async () => (await debate()).status !== 'paused', 'resumed');
    await emu.waitFor(
      () => JSON.stringify(emu.thread(ideas, root.ts)[0]!.blocks).includes('arena_pause'),
      20_000,
      'card',
    );

    await until(
      async () => ['completed', 'failed', 'cancelled'].includes((await debate()).status),
      'end',
      60_000,
    );
    await instance.slack.bot.idle();

    // Export, typed in the channel, uploads the transcript as a file into the thread.
    await emu.slashCommand({ user: bob, channel: ideas, text: 'export' });
    const file = await emu.waitFor(
      () => emu.files.find((f) => f.channel === ideas && f.content),
      20_000,
      'upload',
    );
    expect(file.name).toMatch(/\.md$/);
    expect(file.thread_ts).toBe(root.ts);
    expect(file.content).toContain('Peer-to-peer GPU rental');
    expect(emu.calls.map((c) => c.method)).toEqual(
      expect.arrayContaining(['files.getUploadURLExternal', 'files.completeUploadExternal']),
    );
  });
});
