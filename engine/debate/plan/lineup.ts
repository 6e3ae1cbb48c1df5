import { interaction } from '../../../personas/interaction.ts';
import { AXIS_NAMES } from '../../../personas/personality.ts';
import type { Persona } from '../../../personas/types.ts';
import { LINEUP_WEIGHTS } from '../../constants.ts';
import { argMax, seededRng } from './random.ts';

export interface LineupInput {
  seed: string;
  /** Text the speakers should know about: the idea, plus the evaluators' risks in a refinement round. */
  relevanceText: string;
  candidates: readonly Persona[];
  size: number;
  round: number;
  /** Personas heard in earlier rounds: fresh voices get a small edge. */
  spokenBefore: ReadonlySet<string>;
  /** Last speaker of the previous round: never opens this one (no persona twice in a row). */
  previousLast: string | null;
}

/**
 * The speakers of one divergence round, in speaking order: chosen greedily for expertise relevant to
 * the idea and for covering both poles of every personality axis, then ordered so neighbours meet
 * in one of the seed's interaction patterns (optimistic↔cautious, innovative↔pragmatic, …).
 */
export function chooseLineup(input: LineupInput): string[] {
  const rng = seededRng(input.seed, 'lineup', input.round);
  const words = keywords(input.relevanceText);
  const jitter = new Map(input.candidates.map((p) => [p.id, rng()]));
  const chosen: Persona[] = [];
  const covered = new Set<string>();
  const pool = [...input.candidates];
  while (chosen.length < Math.min(input.size, input.candidates.length)) {
    const best = argMax(pool, (p) => {
      const gain = poles(p).filter((x) => !covered.has(x)).length / AXIS_NAMES.length;
      return (
        LINEUP_WEIGHTS.relevance * relevance(p, words) +
        LINEUP_WEIGHTS.coverage * gain +
        LINEUP_WEIGHTS.fresh * (input.spokenBefore.has(p.id) ? 0 : 1) +
        LINEUP_WEIGHTS.jitter * jitter.get(p.id)!
      );
    })!;
    chosen.push(best);
    pool.splice(pool.indexOf(best), 1);
    for (const x of poles(best)) covered.add(x);
  }
  return order(chosen, words, input.previousLast, jitter);
}

/**
 * The next speaker among those left in a round (`open`, in lineup order). The lineup decides who
 * speaks in the round (personality coverage) and, when nothing is known about a model server
 * (`loadedModels` undefined: hosted APIs, offline), the order too. With a local model server, the
 * order within the round goes by model, so that each model is loaded once for the phase: speakers
 * whose model is loaded first, then those whose model the rest of the phase does not need again,
 * then those whose model a later round or the summary needs (so it stays loaded into them); among
 * equals, lineup order. Each model's speakers so come together, in the lineup's order. Who speaks
 * is never changed, and a person's @handle is answered before this is asked.
 */
export function nextInLineup(input: {
  open: readonly Persona[];
  /** Models the model server has loaded now; undefined when unknown. */
  loadedModels?: ReadonlySet<string> | undefined;
  /** Models the phase needs after this round: later rounds' speakers, the moderator's summary. */
  laterModels?: ReadonlySet<string> | undefined;
}): Persona {
  const [first] = input.open;
  if (!first) throw new Error('nextInLineup needs at least one speaker left');
  const loaded = input.loadedModels;
  if (!loaded) return first;
  const rank = (p: Persona) => (loaded.has(p.model) ? 0 : 2) + (input.laterModels?.has(p.model) ? 1 : 0);
  let best = first;
  for (const p of input.open) if (rank(p) < rank(best)) best = p;
  return best;
}

/** How well a persona opens a round, before the seed's jitter: relevant, optimistic and innovative voices open best. */
function openerScore(p: Persona, words: ReadonlySet<string>): number {
  const bold =
    (p.personality.thinking === 'optimistic' ? 0.5 : 0) + (p.personality.action === 'innovative' ? 0.5 : 0);
  return relevance(p, words) + bold;
}

function order(
  chosen: Persona[],
  words: Set<string>,
  previousLast: string | null,
  jitter: Map<string, number>,
): string[] {
  const rest = [...chosen];
  // The opener proposes: relevant, optimistic and innovative voices open best.
  const openers = rest.filter((p) => p.id !== previousLast);
  let current = argMax(
    openers.length > 0 ? openers : rest,
    (p) => openerScore(p, words) + jitter.get(p.id)!,
  )!;
  const out: string[] = [];
  for (;;) {
    out.push(current.id);
    rest.splice(rest.indexOf(current), 1);
    if (rest.length === 0) return out;
    const from = current;
    current = argMax(rest, (p) => interaction(from, p).length + jitter.get(p.id)!)!;
  }
}

function poles(p: Persona): string[] {
  return AXIS_NAMES.map((axis) => `${axis}:${p.personality[axis]}`);
}

/** Share of a persona's expertise and role keywords found in the text, from 0 to 1. */
export function relevance(p: Persona, words: ReadonlySet<string>): number {
  const own = personaKeywords(p);
  let hits = 0;
  for (const w of own) if (words.has(w)) hits++;
  return Math.min(hits, 3) / 3;
}

// A persona's keywords never change, and every lineup of every round of every debate scores every
// persona several times: computed once per persona object (it was 8.6% of CPU at 100 debates).
const personaWords = new WeakMap<Persona, Set<string>>();
function personaKeywords(p: Persona): Set<string> {
  let own = personaWords.get(p);
  if (!own) {
    own = keywords([...p.expertise, p.role.en].join(' '));
    personaWords.set(p, own);
  }
  return own;
}

const STOP = new Set(['the', 'and', 'for', 'with', 'that', 'this', 'app', 'from', 'into', 'senior', 'staff']);

/** Lower-cased words of 3+ letters (2+ for Hangul), plural -s dropped, stop words removed. */
export function keywords(text: string): Set<string> {
  const out = new Set<string>();
  for (const raw of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    const min = /[\uac00-\ud7a3]/.test(raw) ? 2 : 3;
    if (raw.length < min) continue;
    const w = raw.length > 3 && raw.endsWith('s') && !raw.endsWith('ss') ? raw.slice(0, -1) : raw;
    if (!STOP.has(w)) out.add(w);
  }
  return out;
}
