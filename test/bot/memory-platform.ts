import {
  type ChatPlatform,
  type CommandReply,
  DeliveryError,
  type IncomingCommand,
  type IncomingHumanMessage,
  type OutgoingPost,
  type ThreadRef,
} from '../../bot/platform.ts';

export interface MemoryPost {
  id: string;
  threadId: string;
  username: string | null;
  avatarUrl: string | null;
  text: string;
  embedTitle: string | null;
  edits: number;
  deleted: boolean;
}

export interface CommandOutcome {
  deferred: { ephemeral: boolean } | null;
  replies: CommandReply[];
}

// Ids are unique across platforms in one test file: bindings of earlier tests stay in the database.
let seq = 1000;

/** An in-memory ChatPlatform: threads and posts in arrays, failures on demand, every call recorded. */
export function createMemoryPlatform() {
  const posts: MemoryPost[] = [];
  const threads: Array<ThreadRef & { title: string }> = [];
  const calls: string[] = [];
  const faults: Array<{ op: string; error: DeliveryError }> = [];
  let commandHandler: ((c: IncomingCommand) => Promise<void>) | null = null;
  let humanHandler: ((m: IncomingHumanMessage) => Promise<void>) | null = null;
  /** Called after a post is stored, before its id is returned (to simulate a crash in between). */
  let afterPost: ((p: MemoryPost) => void | Promise<void>) | null = null;

  const fault = (op: string) => {
    const i = faults.findIndex((f) => f.op === op || f.op === '*');
    if (i >= 0) throw faults.splice(i, 1)[0]!.error;
  };
  const find = (id: string) => {
    const p = posts.find((x) => x.id === id && !x.deleted);
    if (!p) throw new DeliveryError('unknown_post', `no post ${id}`);
    return p;
  };

  const platform: ChatPlatform = {
    name: 'discord',
    maxPostLength: 200,
    permissions: { managersLabel: 'members with Manage Threads' },
    format: { threadLink: (t) => `<#${t.threadId}>`, userMention: (id) => `<@${id}>` },
    normalizeIdentity: (i) => ({ username: i.username.slice(0, 80), avatarUrl: i.avatarUrl }),
    async openThread({ workspaceId, channelId, title }) {
      calls.push('openThread');
      fault('openThread');
      const t = { workspaceId, channelId, threadId: String(seq++), title };
      threads.push(t);
      return t;
    },
    async post(thread, p: OutgoingPost) {
      calls.push('post');
      fault('post');
      if ((p.text ?? '').length > 200) throw new DeliveryError('rejected', 'too long');
      const stored: MemoryPost = {
        id: String(seq++),
        threadId: thread.threadId,
        username: p.identity?.username ?? null,
        avatarUrl: p.identity?.avatarUrl ?? null,
        text: p.text ?? '',
        embedTitle: p.embed?.title ?? null,
        edits: 0,
        deleted: false,
      };
      posts.push(stored);
      await afterPost?.(stored);
      return stored.id;
    },
    async edit(_thread, id, p) {
      calls.push('edit');
      fault('edit');
      const stored = find(id);
      stored.text = p.text ?? '';
      stored.embedTitle = p.embed?.title ?? null;
      stored.edits++;
    },
    async deletePost(_thread, id) {
      calls.push('delete');
      find(id).deleted = true;
    },
    async recentOwnPosts(thread, limit) {
      calls.push('recent');
      return posts
        .filter((p) => p.threadId === thread.threadId && !p.deleted)
        .slice(-limit)
        .map((p) => ({ id: p.id, username: p.username, text: p.text, embedTitle: p.embedTitle }));
    },
    onCommand(h) {
      commandHandler = h;
    },
    onHumanMessage(h) {
      humanHandler = h;
    },
  };

  return {
    platform,
    posts,
    threads,
    calls,
    /** Visible posts of a thread, oldest first. */
    visible: (threadId: string) => posts.filter((p) => p.threadId === threadId && !p.deleted),
    failNext(op: 'post' | 'edit' | 'openThread' | '*', error: DeliveryError, count = 1) {
      for (let i = 0; i < count; i++) faults.push({ op, error });
    },
    setAfterPost(fn: typeof afterPost) {
      afterPost = fn;
    },
    async command(input: {
      subcommand: string;
      options?: Record<string, unknown>;
      user?: { id: string; displayName: string; canManage: boolean };
      channelId?: string;
      parentChannelId?: string | null;
      workspaceId?: string;
    }): Promise<CommandOutcome> {
      const outcome: CommandOutcome = { deferred: null, replies: [] };
      if (!commandHandler) throw new Error('no command handler registered');
      await commandHandler({
        subcommand: input.subcommand,
        options: input.options ?? {},
        user: input.user ?? { id: '42', displayName: 'Alice', canManage: true },
        workspaceId: input.workspaceId ?? 'guild',
        channelId: input.channelId ?? 'ideas',
        parentChannelId: input.parentChannelId ?? null,
        async defer(o) {
          outcome.deferred = o;
        },
        async respond(r) {
          outcome.replies.push(r);
        },
      });
      return outcome;
    },
    async human(m: Partial<IncomingHumanMessage> & { threadId: string; text: string }) {
      if (!humanHandler) throw new Error('no human handler registered');
      await humanHandler({
        workspaceId: 'guild',
        messageId: String(seq++),
        author: { id: '77', displayName: 'Bob' },
        replyToPostId: null,
        ...m,
      });
    },
  };
}

export type MemoryPlatform = ReturnType<typeof createMemoryPlatform>;
