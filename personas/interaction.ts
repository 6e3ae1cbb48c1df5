import type { Axis } from './personality.ts';
import type { Localized, Persona } from './types.ts';

export type Dynamic = 'constructive_tension' | 'grounded_innovation' | 'refinement';

/** One of the seed's interaction patterns (2.7): two opposite poles of an axis meeting. */
export interface InteractionPattern {
  dynamic: Dynamic;
  axis: Axis;
  poles: readonly [string, string];
  label: Localized;
  expectedOutcome: Localized;
}

/** The seed's INTERACTION_PATTERNS, in its order. */
export const INTERACTION_PATTERNS: readonly InteractionPattern[] = [
  {
    dynamic: 'constructive_tension',
    axis: 'thinking',
    poles: ['optimistic', 'cautious'],
    label: { ko: '건설적 토론', en: 'constructive debate' },
    expectedOutcome: { ko: '균형 잡힌 아이디어', en: 'a balanced idea' },
  },
  {
    dynamic: 'grounded_innovation',
    axis: 'action',
    poles: ['innovative', 'pragmatic'],
    label: { ko: '실현 가능한 혁신', en: 'feasible innovation' },
    expectedOutcome: { ko: '실행 가능한 새로운 접근', en: 'a new approach that can be executed' },
  },
  {
    dynamic: 'refinement',
    axis: 'communication',
    poles: ['challenger', 'supporter'],
    label: { ko: '정제된 아이디어', en: 'refined idea' },
    expectedOutcome: { ko: '강화된 논리와 완성도', en: 'stronger reasoning and a more finished idea' },
  },
];

/** Every seed pattern that applies between two personas, in either order; empty when none does. */
export function interaction(
  a: Pick<Persona, 'personality'>,
  b: Pick<Persona, 'personality'>,
): InteractionPattern[] {
  return INTERACTION_PATTERNS.filter((pattern) => {
    const x = a.personality[pattern.axis];
    const y = b.personality[pattern.axis];
    const [p, q] = pattern.poles;
    return (x === p && y === q) || (x === q && y === p);
  });
}
