import type { Identity } from '../platform.ts';

/** A preview post to delete; `byIdentity` says whether it was posted through an identity. */
export interface AbandonedPost {
  id: string;
  byIdentity: boolean;
}

/** A persona message shown while it is still being written; its post is edited as tokens arrive. */
export interface Preview {
  turnIndex: number;
  /** Null when the committed message is the bot's own post (e.g. the moderator's summary). */
  identity: Identity | null;
  /** Put in front of the streamed text, as the committed post will have it. */
  prefix: string;
  personaId: string;
  text: string;
  postId: string | null;
  shown: string | null;
  lastPostAt: number;
  failed: boolean;
  /**
   * Another post landed below this preview's (a notice, a banner): edited in place, its message
   * would read above what the log puts before it, so the message is posted anew instead.
   */
  overtaken: boolean;
}

/**
 * Streaming previews of one thread, by turn. Only the newest turn is shown; an older preview is
 * either consumed by its committed message or, once a later message lands, deleted as abandoned.
 */
export class StreamPreviews {
  private readonly byTurn = new Map<number, Preview>();
  private current: number | null = null;
  /** Preview posts that belong to no message any more, waiting to be deleted. */
  readonly abandoned: AbandonedPost[] = [];

  start(turnIndex: number, identity: Identity | null, personaId: string, prefix = ''): void {
    const existing = this.byTurn.get(turnIndex);
    if (existing && existing.identity?.username === identity?.username) {
      // The same turn restarted (e.g. a person spoke mid-turn): keep the post, restart the text.
      existing.text = '';
    } else {
      if (existing) this.abandon(existing);
      this.byTurn.set(turnIndex, {
        turnIndex,
        identity,
        prefix,
        personaId,
        text: '',
        postId: null,
        shown: null,
        lastPostAt: 0,
        failed: false,
        overtaken: false,
      });
    }
    this.current = turnIndex;
  }

  delta(turnIndex: number, text: string): boolean {
    const p = this.byTurn.get(turnIndex);
    if (!p) return false;
    p.text += text;
    return turnIndex === this.current;
  }

  /** The preview to bring up to date, if any. */
  live(): Preview | null {
    return this.current === null ? null : (this.byTurn.get(this.current) ?? null);
  }

  /** Hands over the preview of a committed turn; earlier, unclaimed previews become abandoned. */
  take(turnIndex: number): Preview | null {
    const p = this.byTurn.get(turnIndex) ?? null;
    this.byTurn.delete(turnIndex);
    for (const [t, other] of this.byTurn) {
      if (t < turnIndex) {
        this.abandon(other);
        this.byTurn.delete(t);
      }
    }
    if (this.current !== null && this.current <= turnIndex) this.current = null;
    return p;
  }

  /** A post other than a preview's own landed in the thread: every preview on screen is above it now. */
  postedBelow(): void {
    for (const p of this.byTurn.values()) if (p.postId) p.overtaken = true;
  }

  /** Queues a preview's post (if it has one) for deletion. */
  abandon(p: Preview): void {
    if (p.postId) this.abandoned.push({ id: p.postId, byIdentity: p.identity !== null });
  }

  /** Gives back a preview whose committed message could not be delivered yet. */
  restore(p: Preview): void {
    if (!this.byTurn.has(p.turnIndex)) this.byTurn.set(p.turnIndex, p);
  }

  /** The debate is over: nothing still streaming will be committed. */
  abandonAll(): void {
    for (const p of this.byTurn.values()) this.abandon(p);
    this.byTurn.clear();
    this.current = null;
  }
}
