import type { Kysely } from 'kysely';
import { enqueueOutbox, outboxKeys, type ThreadBinding } from '../../db/repositories/chat.ts';
import type { ChatPlatformName, Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import type { ArenaEvent, DebateMessageView } from '../../engine/events.ts';
import type { Logger } from '../../engine/log.ts';
import type { Lang, Persona, Phase } from '../../personas/types.ts';
import {
  bannerKey,
  endBanner,
  messageKey,
  messagePayload,
  OUTBOX_KIND,
  type OutboxPayload,
  pausedNotice,
  phaseBanner,
  resumedNotice,
} from './render.ts';

export interface OutboxWriterDeps {
  db: Kysely<Database>;
  arena: Pick<Arena, 'getDebate'>;
  platform: ChatPlatformName;
  personas: readonly Persona[];
  publicUrl: string;
  log: Logger;
}

/** Turns engine events (and, after gaps, committed debate data) into outbox rows. */
export interface OutboxWriter {
  /** Handles one event of a bound debate; callers serialise calls per binding. */
  onEvent(binding: ThreadBinding, event: ArenaEvent): Promise<boolean>;
  /** Queues every committed message not queued yet, in turn order; says whether rows were added and the debate is over. */
  catchUp(binding: ThreadBinding): Promise<CatchUp>;
  /** Queues a bot notice once per key. */
  notice(binding: ThreadBinding, key: string, payload: OutboxPayload): Promise<boolean>;
}

export interface CatchUp {
  added: boolean;
  /** The debate has ended (or is gone): nothing more will come. */
  finished: boolean;
}

interface BindingState {
  lastTurn: number;
  lastBanner: string | null;
  lang: Lang;
  totalRounds: number;
}

export function createOutboxWriter(deps: OutboxWriterDeps): OutboxWriter {
  const personas = new Map(deps.personas.map((p) => [p.id, p]));
  const states = new Map<string, BindingState>();
  const ctx = { platform: deps.platform, personas, publicUrl: deps.publicUrl };

  const put = (b: ThreadBinding, key: string, kind: string, payload: OutboxPayload, messageId?: string) =>
    enqueueOutbox(deps.db, {
      bindingId: b.id,
      platform: deps.platform,
      debateId: b.debateId,
      messageId: messageId ?? null,
      kind,
      dedupKey: key,
      payload,
    });

  const putBanner = async (b: ThreadBinding, phase: Phase, round: number, s: BindingState) => {
    const key = bannerKey(phase, round);
    const added = await put(b, key, OUTBOX_KIND.banner, {
      embed: phaseBanner(phase, round, s.totalRounds, s.lang),
    });
    // Only once it is stored: a failed insert is retried rather than taken as done.
    s.lastBanner = key;
    return added;
  };

  const putMessage = async (b: ThreadBinding, m: DebateMessageView): Promise<boolean> => {
    const post = messagePayload(m, ctx);
    if (!post) return false;
    return put(b, messageKey(m.id), post.kind, post.payload, m.id);
  };

  async function catchUp(b: ThreadBinding): Promise<CatchUp> {
    const detail = await deps.arena.getDebate(b.debateId);
    if (!detail) return { added: false, finished: true };
    const s: BindingState = states.get(b.id) ?? {
      lastTurn: -1,
      lastBanner: null,
      lang: detail.lang,
      totalRounds: detail.totalRounds,
    };
    s.lang = detail.lang;
    s.totalRounds = detail.totalRounds;
    states.set(b.id, s);
    const keys = await outboxKeys(deps.db, b.id);
    const messages = [...detail.messages].sort((x, y) => x.turnIndex - y.turnIndex);
    let added = false;
    let prevBanner: string | null = null;
    for (const m of messages) {
      const banner = bannerKey(m.phase, m.round);
      // Banners are derived only in front of messages that are themselves missing, so a banner
      // queued live never comes back late after the messages it introduced.
      if (!keys.has(messageKey(m.id)) && messagePayload(m, ctx)) {
        if (banner !== prevBanner && !keys.has(banner)) {
          added = (await putBanner(b, m.phase, m.round, s)) || added;
          keys.add(banner);
        }
        added = (await putMessage(b, m)) || added;
        keys.add(messageKey(m.id));
      }
      prevBanner = banner;
      s.lastTurn = Math.max(s.lastTurn, m.turnIndex);
    }
    s.lastBanner = prevBanner;
    const status = detail.status;
    if (status === 'active' || status === 'paused') {
      // The phase may have moved on before its first message: announce it now.
      const current = bannerKey(detail.phase, detail.round);
      if (current !== prevBanner && !keys.has(current)) {
        added = (await putBanner(b, detail.phase, detail.round, s)) || added;
      }
      if (current !== prevBanner) s.lastBanner = current;
    } else if (!keys.has('end')) {
      added =
        (await put(b, 'end', OUTBOX_KIND.notice, endBanner(status, detail.outcome, detail.lang))) || added;
    }
    const finished = status !== 'active' && status !== 'paused';
    if (finished) states.delete(b.id);
    return { added, finished };
  }

  async function stateOf(b: ThreadBinding): Promise<BindingState | null> {
    const s = states.get(b.id);
    if (s) return s;
    await catchUp(b);
    return states.get(b.id) ?? null;
  }

  return {
    catchUp,
    notice: (b, key, payload) => put(b, key, OUTBOX_KIND.notice, payload),
    async onEvent(b, event) {
      switch (event.type) {
        case 'phase.changed': {
          const s = await stateOf(b);
          if (!s) return false;
          s.totalRounds = event.totalRounds;
          if (bannerKey(event.phase, event.round) === s.lastBanner) return false;
          return putBanner(b, event.phase, event.round, s);
        }
        case 'message.created': {
          const m = event.message;
          const known = states.get(b.id);
          // Posts follow commit order. A person's message may take the next index while a turn is
          // still in flight, so a lower index can arrive late; only a jump past the next index
          // means events were missed, and then the committed transcript fills the gap.
          if (!known || m.turnIndex > known.lastTurn + 1) return (await catchUp(b)).added;
          known.lastTurn = Math.max(known.lastTurn, m.turnIndex);
          if (!messagePayload(m, ctx)) return false;
          let added = false;
          const banner = bannerKey(m.phase, m.round);
          if (banner !== known.lastBanner) added = await putBanner(b, m.phase, m.round, known);
          return (await putMessage(b, m)) || added;
        }
        case 'debate.paused': {
          const s = await stateOf(b);
          return put(
            b,
            `paused:${event.at}`,
            OUTBOX_KIND.notice,
            pausedNotice(event.reason, s?.lang ?? 'en'),
          );
        }
        case 'debate.resumed': {
          const s = await stateOf(b);
          return put(b, `resumed:${event.at}`, OUTBOX_KIND.notice, resumedNotice(s?.lang ?? 'en'));
        }
        case 'debate.completed': {
          // Messages committed just before the end may have been missed: fill them in first.
          const lang = states.get(b.id)?.lang ?? 'en';
          const { added } = await catchUp(b);
          states.delete(b.id);
          const payload = endBanner(event.status, event.outcome, lang);
          return (await put(b, 'end', OUTBOX_KIND.notice, payload)) || added;
        }
        default:
          return false;
      }
    },
  };
}
