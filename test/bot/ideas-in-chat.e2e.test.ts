import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../personas/index.ts';
import type { Persona } from '../../personas/types.ts';
import { type ArenaInstance, smallCast, startEmulator, startInstance } from '../discord/arena-world.ts';
import type { DiscordEmulator, OptionValue } from '../emulators/discord/index.ts';
import { type SlackEmulator, startSlackEmulator } from '../emulators/slack/index.ts';
import { createFakeLlm } from '../fakes/fake-llm.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { type SlackInstance, startSlackInstance } from '../slack/slack-world.ts';

const EPHEMERAL = 64;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

// `/arena ideas add` from both platforms goes through the one neutral handler into the ideas table,
// with the same rules as `arena ideas add`; `/arena ideas` lists the pending backlog.
describe.each(testDialects())('/arena ideas [add] in Discord and Slack on %s', (dialect) => {
  let t: TestDatabase;
  let personas: Persona[];
  let discordEmu: DiscordEmulator;
  let discord: ArenaInstance;
  let slackEmu: SlackEmulator;
  let slack: SlackInstance;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
    personas = smallCast(await builtinCatalog());
    discordEmu = await startEmulator();
    discord = await startInstance({ db: t.db, emu: discordEmu, llm: createFakeLlm(), personas });
    slackEmu = await startSlackEmulator();
    slack = await startSlackInstance({
      db: t.db,
      emu: slackEmu,
      llm: createFakeLlm(),
      personas,
      mode: 'http',
      instanceId: 'slack-ideas',
    });
  }, 120_000);
  afterAll(async () => {
    await discord?.kill();
    await slack?.kill();
    await discordEmu?.close();
    await slackEmu?.close();
    await t?.dispose();
  });

  async function onDiscord(options: Record<string, OptionValue> = {}) {
    const i = discordEmu.invokeCommand({
      user: discordEmu.seed.users.carol, // no manager role: adding ideas is open to everyone
      channelId: discordEmu.seed.channels.ideas,
      subcommand: 'ideas',
      options,
    });
    return discordEmu.waitFor(
      () => {
        const rec = discordEmu.interaction(i.id)!;
        const followup = rec.followupIds.length > 0 ? discordEmu.message(rec.followupIds.at(-1)!) : undefined;
        const reply = discordEmu.interactionReply(i.id);
        const msg =
          followup ?? (reply && (reply.content !== '' || reply.embeds.length > 0) ? reply : undefined);
        return (
          msg && {
            text: msg.content,
            ephemeral: (msg.flags & EPHEMERAL) !== 0,
            embeds: msg.embeds as Array<{ title?: string; description?: string }>,
          }
        );
      },
      20_000,
      '/arena ideas answer',
    );
  }

  async function onSlack(text: string) {
    const r = await slackEmu.slashCommand({ user: slackEmu.seed.alice, channel: slackEmu.seed.ideas, text });
    expect(r.status).toBe(200);
    return slackEmu.waitFor(() => slackEmu.responsesFor(r.responseId)[0], 20_000, `answer to ${text}`);
  }

  const rowsTitled = (title: string) =>
    t.db.selectFrom('ideas').selectAll().where('title', '=', title).execute();

  it('adds a traditional idea from Discord and answers with its id', async () => {
    const answer = await onDiscord({ add: '  A tool library   for apartment buildings ' });
    expect(answer.ephemeral).toBe(true);
    const id = answer.text.match(UUID)?.[0];
    expect(id).toBeDefined();
    expect(answer.text).toContain('“A tool library for apartment buildings”');
    const [row, ...more] = await rowsTitled('A tool library for apartment buildings');
    expect(more).toEqual([]);
    expect(row).toMatchObject({ id, status: 'pending', source_type: 'traditional' });
    expect(row!.metadata).toMatchObject({ by: `discord:${discordEmu.seed.users.carol.id}` });
  });

  it('adds one from Slack free text, refuses a near-duplicate from either platform, and too-short text', async () => {
    const added = await onSlack('ideas add Solar panels shared by a street');
    expect(added.response_type).toBe('ephemeral');
    const id = added.text?.match(UUID)?.[0];
    const [row] = await rowsTitled('Solar panels shared by a street');
    expect(row).toMatchObject({ id, status: 'pending', source_type: 'traditional' });
    expect(row!.metadata).toMatchObject({ by: `slack:${slackEmu.seed.alice}` });

    // The near-duplicate rule of `arena ideas add` (same meaningful words), across platforms.
    const dupSlack = await onSlack('ideas add: tool libraries for apartment buildings');
    expect(dupSlack.text).toMatch(
      /Not added: too close to the existing idea “A tool library for apartment buildings”/,
    );
    const dupDiscord = await onDiscord({ add: 'solar panels shared by a STREET!' });
    expect(dupDiscord).toMatchObject({ ephemeral: true });
    expect(dupDiscord.text).toMatch(/too close to the existing idea “Solar panels shared by a street”/);
    const short = await onDiscord({ add: 'ab' });
    expect(short.text).toMatch(/Not added: an idea needs 3 to 500 characters/);
    const empty = await onSlack('ideas add');
    expect(empty.text).toMatch(/Say the idea after `add`/);

    const all = await t.db.selectFrom('ideas').select(['title', 'source_type']).execute();
    expect(all.map((r) => r.title).sort()).toEqual([
      'A tool library for apartment buildings',
      'Solar panels shared by a street',
    ]);
  });

  it('lists the pending backlog on both platforms', async () => {
    // One idea leaves the backlog: it no longer shows under Pending.
    await t.db
      .updateTable('ideas')
      .set({ status: 'selected' })
      .where('title', '=', 'Solar panels shared by a street')
      .execute();
    const listed = await onDiscord();
    expect(listed.ephemeral).toBe(true);
    const description = listed.embeds[0]!.description!;
    const [pending, debated] = description.split('**Recently debated**');
    expect(pending).toMatch(/\*\*Pending\*\* \(1\)\n• A tool library for apartment buildings — pending/);
    expect(pending).not.toContain('Solar panels');
    expect(debated).toContain('Solar panels shared by a street — selected');

    const slackList = await onSlack('ideas');
    expect(JSON.stringify(slackList.blocks)).toContain('A tool library for apartment buildings — pending');
    expect(slackList.text).toContain('Ideas');
  });
});
