import { describe, expect, it } from 'vitest';
import {
  axesShort,
  BEHAVIOUR_KEYS,
  behaviourModifiers,
  builtinCatalog,
  interaction,
  type Personality,
  traitLabels,
} from '../../personas/index.ts';

const catalog = await builtinCatalog();
const get = (id: string) => catalog.find((p) => p.id === id)!;
const dynamics = (a: string, b: string) => interaction(get(a), get(b)).map((i) => i.dynamic);

const alex: Personality = {
  thinking: 'optimistic',
  decision: 'intuitive',
  communication: 'supporter',
  action: 'innovative',
};
const sarah: Personality = {
  thinking: 'cautious',
  decision: 'analytical',
  communication: 'challenger',
  action: 'pragmatic',
};

describe('interaction()', () => {
  it('optimistic × cautious → constructive_tension, with the seed outcome', () => {
    const result = interaction(
      { personality: { ...sarah, thinking: 'optimistic' } },
      { personality: { ...sarah, thinking: 'cautious' } },
    );
    expect(result.map((r) => r.dynamic)).toEqual(['constructive_tension']);
    expect(result[0]?.expectedOutcome).toEqual({ ko: '균형 잡힌 아이디어', en: 'a balanced idea' });
  });

  it('innovative × pragmatic → grounded_innovation', () => {
    const result = interaction(
      { personality: { ...sarah, action: 'innovative' } },
      { personality: { ...sarah, action: 'pragmatic' } },
    );
    expect(result.map((r) => r.dynamic)).toEqual(['grounded_innovation']);
    expect(result[0]?.expectedOutcome.ko).toBe('실행 가능한 새로운 접근');
  });

  it('challenger × supporter → refinement', () => {
    const result = interaction(
      { personality: { ...alex, communication: 'challenger' } },
      { personality: { ...alex, communication: 'supporter' } },
    );
    expect(result.map((r) => r.dynamic)).toEqual(['refinement']);
    expect(result[0]?.expectedOutcome.ko).toBe('강화된 논리와 완성도');
  });

  it('finds every pattern that applies, in either order', () => {
    expect(dynamics('dev_optimistic', 'dev_cautious')).toEqual([
      'constructive_tension',
      'grounded_innovation',
      'refinement',
    ]);
    expect(dynamics('dev_cautious', 'dev_optimistic')).toEqual(dynamics('dev_optimistic', 'dev_cautious'));
    expect(dynamics('chain_maximalist', 'vc_aggressive')).toEqual([]);
    expect(dynamics('dev_optimistic', 'chain_maximalist')).toEqual(['refinement']);
  });
});

describe('behaviour modifiers and traits', () => {
  it("reproduce the seed's Korean text for each pole", () => {
    expect(behaviourModifiers(alex, 'ko')).toEqual({
      initial_reaction: '가능성과 기회를 먼저 본다',
      problem_approach: '해결책 중심으로 생각한다',
      decision_speed: '빠르게 직감으로 판단한다',
      evidence_need: '경험과 패턴 기반으로 결정한다',
      feedback_style: '격려와 발전적 피드백을 준다',
      disagreement: '대안을 제시하며 부드럽게 반대한다',
      solution_preference: '새롭고 파격적인 접근을 선호한다',
      risk_tolerance: '실험적 시도를 두려워하지 않는다',
    });
    expect(behaviourModifiers(sarah, 'ko').initial_reaction).toBe('리스크와 문제점을 먼저 본다');
    expect(behaviourModifiers(sarah, 'ko').evidence_need).toBe('수치와 근거를 요구한다');
    expect(behaviourModifiers(sarah, 'ko').disagreement).toBe('문제점을 직접적으로 지적한다');
    expect(behaviourModifiers(sarah, 'ko').risk_tolerance).toBe('안정적이고 예측 가능한 방법을 택한다');
  });

  it('fill all eight keys in English too, differently for opposite poles', () => {
    const a = behaviourModifiers(alex, 'en');
    const s = behaviourModifiers(sarah, 'en');
    expect(Object.keys(a).sort()).toEqual([...BEHAVIOUR_KEYS].sort());
    for (const key of BEHAVIOUR_KEYS) {
      expect(a[key]).toMatch(/^[A-Z][a-z]/);
      expect(a[key]).not.toBe(s[key]);
    }
  });

  it("label traits as the seed's _format_personality", () => {
    expect(traitLabels(alex, 'ko')).toEqual(['낙관적이고 긍정적', '직관적 판단', '지지적 소통', '혁신 추구']);
    expect(traitLabels(sarah, 'ko')).toEqual(['신중하고 비판적', '분석적 사고', '도전적 소통', '실용주의']);
    expect(traitLabels(sarah, 'en')).toHaveLength(4);
  });

  it('abbreviate the axes for tables', () => {
    expect(axesShort(alex)).toBe('opt/int/sup/inn');
    expect(axesShort(sarah)).toBe('cau/ana/cha/pra');
  });
});
