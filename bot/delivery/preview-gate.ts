import type { Projection } from './projector.ts';
import type { Preview } from './stream-previews.ts';

/** What the worker does about the live preview: show it, catch up from the log first, or wait. */
export type PreviewDecision = 'show' | 'project' | 'wait';

/**
 * A new preview never overtakes a committed turn: it is posted only once every turn before it is
 * in the outbox (and, rows going first, delivered). A commit whose wake-up is late or missed
 * (another process committed it, an event was lost) is caught up from the log first. Past a gap in
 * the turns (one given up after a crash) the preview goes once the log says it is the turn in
 * flight; otherwise an earlier turn may still commit, and it waits.
 */
export class PreviewGate {
  /** The binding's cursor as of the last projection (−∞ before the first). */
  private cursorTurn = Number.NEGATIVE_INFINITY;
  /** The turn in flight as of the last projection. */
  private turnInFlight: number | null = null;
  /** The preview turn for which a projection already ran to let it through. */
  private checkedTurn: number | null = null;

  /** Notes what a projection of the thread found. */
  projected(p: Pick<Projection, 'cursorTurn' | 'turnInFlight'>): void {
    this.cursorTurn = p.cursorTurn;
    this.turnInFlight = p.turnInFlight;
  }

  decide(live: Pick<Preview, 'turnIndex' | 'postId'> | null): PreviewDecision {
    // Nothing to post, or a preview already on screen (only edited from now on).
    if (!live || live.postId || live.turnIndex <= this.cursorTurn + 1) return 'show';
    if (this.checkedTurn !== live.turnIndex) {
      this.checkedTurn = live.turnIndex;
      return 'project';
    }
    return this.turnInFlight === live.turnIndex ? 'show' : 'wait';
  }
}
