import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileThread } from '../../bot/delivery/reconcile.ts';
import { splitText } from '../../bot/text/split-text.ts';
import { insertThreadBinding, type ThreadBinding } from '../../db/repositories/chat.ts';
import { listPreviews, trackPreview } from '../../db/repositories/chat-delivery.ts';
import {
  enqueueOutbox,
  listOutbox,
  markOutboxSent,
  nextPendingOutbox,
} from '../../db/repositories/chat-outbox.ts';
import { createTestDatabase, type TestDatabase, testDialects } from '../helpers/db.ts';
import { createMemoryPlatform } from './memory-platform.ts';

const clock = { now: () => new Date() };

describe.each(testDialects())('reconciling a thread after a crash on %s', (dialect) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(dialect);
  });
  afterAll(() => t.dispose());

  async function bindThread(threadId: string): Promise<ThreadBinding> {
    const idea = await t.db
      .insertInto('ideas')
      .values({ title: 'x', summary: 'x', source_type: 'manual' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const debate = await t.db
      .insertInto('debate_sessions')
      .values({ idea_id: idea.id, phase: 'divergence' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return insertThreadBinding(t.db, {
      platform: 'discord',
      workspaceId: 'g',
      channelId: 'c',
      threadId,
      debateId: debate.id,
      createdBy: null,
    });
  }

  it('adopts the parts of a split message that were posted but not recorded, and lists stray previews', async () => {
    const mem = createMemoryPlatform();
    const thread = await mem.platform.openThread({ workspaceId: 'g', channelId: 'c', title: 't' });
    const b = await bindThread(thread.threadId);
    const identity = { username: 'Chris Oh', avatarUrl: 'https://a/x.png' };
    // Row 1 was delivered and recorded.
    await enqueueOutbox(t.db, {
      bindingId: b.id,
      platform: 'discord',
      debateId: b.debateId,
      kind: 'banner',
      dedupKey: 'banner:divergence:1',
      payload: { embed: { title: 'Divergence' } },
    });
    const bannerId = await mem.platform.post(thread, { embed: { title: 'Divergence' } });
    const banner = (await nextPendingOutbox(t.db, b.id))!;
    await markOutboxSent(t.db, banner.id, [bannerId], new Date());
    // Row 2 is a 3-part message: two parts reached the platform, the crash came before recording them.
    const sentence = 'This sentence is exactly fifty characters long ok. ';
    const text = sentence.repeat(10).trim();
    await enqueueOutbox(t.db, {
      bindingId: b.id,
      platform: 'discord',
      debateId: b.debateId,
      kind: 'persona',
      dedupKey: 'msg:2',
      payload: { text, identity, personaId: 'security_paranoid', turnIndex: 1 },
    });
    const parts = splitText(text, mem.platform.maxPostLength);
    expect(parts.length).toBeGreaterThan(2);
    const p1 = await mem.platform.post(thread, { text: parts[0], identity });
    const p2 = await mem.platform.post(thread, { text: `${parts[1]!.slice(0, 60)} …`, identity });
    // And a preview of the next, uncommitted turn by someone else.
    const stray = await mem.platform.post(thread, {
      text: 'half a thou …',
      identity: { username: 'Luna Shin', avatarUrl: 'https://a/y.png' },
    });

    const result = await reconcileThread({ db: t.db, platform: mem.platform, clock }, b, thread);
    expect(result.adopted).toBe(2);
    expect(result.orphans).toEqual([{ id: stray, byIdentity: true }]);
    const row = (await listOutbox(t.db, b.id)).find((r) => r.dedupKey === 'msg:2')!;
    expect(row.status).toBe('pending');
    expect(row.remoteIds).toEqual([p1, p2]);
    // The second part was a preview; it now carries the committed text.
    expect(mem.posts.find((p) => p.id === p2)!.text).toBe(parts[1]);
    expect(mem.posts.find((p) => p.id === p1)!.edits).toBe(0);
  });

  it('a preview that became its row’s post is untracked by the statement that marks the row sent', async () => {
    const mem = createMemoryPlatform();
    const thread = await mem.platform.openThread({ workspaceId: 'g', channelId: 'c', title: 't' });
    const b = await bindThread(thread.threadId);
    await enqueueOutbox(t.db, {
      bindingId: b.id,
      platform: 'discord',
      debateId: b.debateId,
      kind: 'persona',
      dedupKey: 'msg:9',
      payload: { text: 'final', personaId: 'security_paranoid', turnIndex: 9 },
    });
    await trackPreview(t.db, b.id, { turnIndex: 9, remoteId: 'p-9', byIdentity: true });
    await trackPreview(t.db, b.id, { turnIndex: 10, remoteId: 'p-10', byIdentity: true });
    const row = (await nextPendingOutbox(t.db, b.id))!;
    // Two separate statements let a kill in between leave the sent post tracked as a preview, and
    // the next start deleted it as leftover: the post was lost from the thread.
    await markOutboxSent(t.db, row.id, ['p-9'], new Date(), { bindingId: b.id, remoteId: 'p-9' });
    expect((await listPreviews(t.db, b.id)).map((p) => p.remoteId)).toEqual(['p-10']);
    expect((await listOutbox(t.db, b.id)).find((r) => r.dedupKey === 'msg:9')).toMatchObject({
      status: 'sent',
      remoteIds: ['p-9'],
    });
  });

  it('does nothing when every own post is accounted for', async () => {
    const mem = createMemoryPlatform();
    const thread = await mem.platform.openThread({ workspaceId: 'g', channelId: 'c', title: 't' });
    const b = await bindThread(thread.threadId);
    await enqueueOutbox(t.db, {
      bindingId: b.id,
      platform: 'discord',
      debateId: b.debateId,
      kind: 'notice',
      dedupKey: 'n1',
      payload: { text: 'hello' },
    });
    const id = await mem.platform.post(thread, { text: 'hello' });
    await markOutboxSent(t.db, (await nextPendingOutbox(t.db, b.id))!.id, [id], new Date());
    expect(await reconcileThread({ db: t.db, platform: mem.platform, clock }, b, thread)).toEqual({
      adopted: 0,
      orphans: [],
    });
  });
});
