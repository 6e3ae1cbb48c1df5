import type { Lang, Localized, Personality } from './types.ts';

export type Axis = keyof Personality;

/** The four axes in the seed's order, each with its two poles (first pole first). */
export const AXES = {
  thinking: ['optimistic', 'cautious'],
  decision: ['intuitive', 'analytical'],
  communication: ['challenger', 'supporter'],
  action: ['innovative', 'pragmatic'],
} as const satisfies { [A in Axis]: readonly [Personality[A], Personality[A]] };

export const AXIS_NAMES: readonly Axis[] = ['thinking', 'decision', 'communication', 'action'];

export type AxisValue = Personality[Axis];

/** Axis names as the seed's framework box spells them (2.1). */
export const AXIS_LABELS: Record<Axis, Localized> = {
  thinking: { ko: '사고 스타일', en: 'Thinking style' },
  decision: { ko: '의사결정 방식', en: 'Decision style' },
  communication: { ko: '커뮤니케이션 스타일', en: 'Communication style' },
  action: { ko: '행동 성향', en: 'Action style' },
};

/** Pole names (2.1), e.g. 낙관적 / Optimistic. */
export const VALUE_LABELS: Record<AxisValue, Localized> = {
  optimistic: { ko: '낙관적', en: 'Optimistic' },
  cautious: { ko: '신중한', en: 'Cautious' },
  intuitive: { ko: '직관적', en: 'Intuitive' },
  analytical: { ko: '분석적', en: 'Analytical' },
  challenger: { ko: '도전적', en: 'Challenger' },
  supporter: { ko: '지지적', en: 'Supporter' },
  innovative: { ko: '혁신적', en: 'Innovative' },
  pragmatic: { ko: '실용적', en: 'Pragmatic' },
};

// Three letters keep "intuitive" and "innovative" apart in a narrow table column.
const SHORT: Record<AxisValue, string> = {
  optimistic: 'opt',
  cautious: 'cau',
  intuitive: 'int',
  analytical: 'ana',
  challenger: 'cha',
  supporter: 'sup',
  innovative: 'inn',
  pragmatic: 'pra',
};

/** The four poles as short words in axis order, e.g. `opt/int/sup/inn`. */
export function axesShort(p: Personality): string {
  return AXIS_NAMES.map((axis) => SHORT[p[axis]]).join('/');
}

// The seed's `_format_personality`: one trait label per pole.
const TRAITS: Record<AxisValue, Localized> = {
  optimistic: { ko: '낙관적이고 긍정적', en: 'optimistic and positive' },
  cautious: { ko: '신중하고 비판적', en: 'cautious and critical' },
  intuitive: { ko: '직관적 판단', en: 'intuitive judgement' },
  analytical: { ko: '분석적 사고', en: 'analytical thinking' },
  challenger: { ko: '도전적 소통', en: 'challenging communication' },
  supporter: { ko: '지지적 소통', en: 'supportive communication' },
  innovative: { ko: '혁신 추구', en: 'drive for innovation' },
  pragmatic: { ko: '실용주의', en: 'pragmatism' },
};

/** Trait labels in axis order, as the seed's `_format_personality` lists them. */
export function traitLabels(p: Personality, lang: Lang): string[] {
  return AXIS_NAMES.map((axis) => TRAITS[p[axis]][lang]);
}

export type BehaviourKey =
  | 'initial_reaction'
  | 'problem_approach'
  | 'decision_speed'
  | 'evidence_need'
  | 'feedback_style'
  | 'disagreement'
  | 'solution_preference'
  | 'risk_tolerance';

/** Behaviour keys in the order the seed's prompt lists them. */
export const BEHAVIOUR_KEYS: readonly BehaviourKey[] = [
  'initial_reaction',
  'problem_approach',
  'decision_speed',
  'evidence_need',
  'feedback_style',
  'disagreement',
  'solution_preference',
  'risk_tolerance',
];

/** Labels of the seed's "행동 방식" list. */
export const BEHAVIOUR_LABELS: Record<BehaviourKey, Localized> = {
  initial_reaction: { ko: '초기 반응', en: 'Initial reaction' },
  problem_approach: { ko: '문제 접근', en: 'Problem approach' },
  decision_speed: { ko: '의사결정', en: 'Decision-making' },
  evidence_need: { ko: '근거 요구', en: 'Evidence' },
  feedback_style: { ko: '피드백', en: 'Feedback' },
  disagreement: { ko: '반대 시', en: 'When you disagree' },
  solution_preference: { ko: '해결책', en: 'Solutions' },
  risk_tolerance: { ko: '리스크', en: 'Risk' },
};

type PoleModifiers = Partial<Record<BehaviourKey, Localized>>;

// The seed's get_behavior_modifiers: each pole sets two of the eight keys.
const MODIFIERS: Record<AxisValue, PoleModifiers> = {
  optimistic: {
    initial_reaction: {
      ko: '가능성과 기회를 먼저 본다',
      en: 'You see possibilities and opportunities first',
    },
    problem_approach: { ko: '해결책 중심으로 생각한다', en: 'You think in terms of solutions' },
  },
  cautious: {
    initial_reaction: { ko: '리스크와 문제점을 먼저 본다', en: 'You see risks and problems first' },
    problem_approach: {
      ko: '잠재적 실패 요인을 먼저 분석한다',
      en: 'You analyse what could make it fail before anything else',
    },
  },
  intuitive: {
    decision_speed: { ko: '빠르게 직감으로 판단한다', en: 'You decide quickly, by instinct' },
    evidence_need: { ko: '경험과 패턴 기반으로 결정한다', en: 'You decide from experience and patterns' },
  },
  analytical: {
    decision_speed: { ko: '충분한 데이터 수집 후 판단한다', en: 'You decide after gathering enough data' },
    evidence_need: { ko: '수치와 근거를 요구한다', en: 'You ask for numbers and evidence' },
  },
  challenger: {
    feedback_style: {
      ko: '날카로운 질문과 반박을 제기한다',
      en: 'You raise sharp questions and counter-arguments',
    },
    disagreement: { ko: '문제점을 직접적으로 지적한다', en: 'You point out problems directly' },
  },
  supporter: {
    feedback_style: {
      ko: '격려와 발전적 피드백을 준다',
      en: 'You give encouragement and constructive feedback',
    },
    disagreement: {
      ko: '대안을 제시하며 부드럽게 반대한다',
      en: 'You disagree gently, offering an alternative',
    },
  },
  innovative: {
    solution_preference: {
      ko: '새롭고 파격적인 접근을 선호한다',
      en: 'You prefer new, unconventional approaches',
    },
    risk_tolerance: { ko: '실험적 시도를 두려워하지 않는다', en: 'You are not afraid of experiments' },
  },
  pragmatic: {
    solution_preference: { ko: '검증된 방법을 선호한다', en: 'You prefer proven methods' },
    risk_tolerance: {
      ko: '안정적이고 예측 가능한 방법을 택한다',
      en: 'You choose stable, predictable ways',
    },
  },
};

/** The seed's `get_behavior_modifiers` in one language: all eight keys. */
export function behaviourModifiers(p: Personality, lang: Lang): Record<BehaviourKey, string> {
  const out = {} as Record<BehaviourKey, string>;
  for (const axis of AXIS_NAMES) {
    for (const [key, text] of Object.entries(MODIFIERS[p[axis]])) out[key as BehaviourKey] = text[lang];
  }
  return out;
}
