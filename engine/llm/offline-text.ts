import { PLAN_SECTION_LABELS } from '../../personas/index.ts';
import type { Lang, Persona, PlanSection } from '../../personas/types.ts';

/** What the offline composer knows about one call. */
export interface OfflineContext {
  persona: Persona | undefined;
  lang: Lang;
  rng: () => number;
  idea: string;
  reaction: string;
  quote: string | undefined;
  targetAuthor: string | undefined;
  planSection: PlanSection | 'final' | undefined;
  phase: string | undefined;
}

type Lines = Record<string, string[]>;

const OPENERS: Record<Lang, Lines> = {
  en: {
    propose: [
      'Here is where I would start on "{idea}".',
      'Let me put a concrete proposal on the table for "{idea}".',
    ],
    support: ['I back {author} on "{quote}".', '{author}, agreed on "{quote}", and I would push it further.'],
    challenge: [
      '{author}, I am not convinced by "{quote}".',
      '{author} says "{quote}", and that is the part I would challenge.',
    ],
    refine: [
      'Building on what {author} said, "{quote}", let me sharpen it.',
      '{author}, "{quote}" is close; here is a tighter version.',
    ],
    merge: [
      '{author}\'s "{quote}" and the earlier proposals fit together.',
      'Let me merge what {author} said, "{quote}", with what we already have.',
    ],
    human: ['Good question from {author}: "{quote}".', 'To answer {author} on "{quote}":'],
  },
  ko: {
    propose: ['{idea}에 대해 제가 먼저 제안해 보겠습니다.', '{idea}에 대한 구체적인 제안을 올려 봅니다.'],
    support: [
      '{author}님이 말한 "{quote}", 동의합니다.',
      '{author}님의 "{quote}" — 맞는 말이고, 더 밀어붙이고 싶습니다.',
    ],
    challenge: [
      '{author}님, "{quote}" — 이 부분에는 동의하기 어렵습니다.',
      '{author}님의 "{quote}" — 바로 이 부분에 이의를 제기하고 싶어요.',
    ],
    refine: [
      '{author}님의 "{quote}" — 이 의견을 바탕으로 조금 더 다듬어 보겠습니다.',
      '{author}님, "{quote}" — 방향은 맞아요. 더 구체적으로 정리하면 이렇습니다.',
    ],
    merge: [
      '{author}님의 "{quote}" — 이 제안과 앞선 논의는 하나로 묶을 수 있습니다.',
      '{author}님의 "{quote}" — 이 의견을 지금까지의 논의와 합쳐 보죠.',
    ],
    human: ['{author}님의 질문 "{quote}"에 답해 보겠습니다.', '{author}님이 말씀하신 "{quote}"에 대해:'],
  },
};

const LENS: Record<Lang, string[]> = {
  en: [
    'As a {role}, I look at this through {exp1} and {exp2}.',
    'From the {exp1} side, which is my job as a {role}:',
  ],
  ko: [
    '{role_ro}서 저는 이 문제를 {exp1}, {exp2} 관점에서 봅니다.',
    '{role}의 시각, 특히 {exp1} 쪽에서 보면:',
  ],
};

const POINT: Record<Lang, Lines> = {
  en: {
    propose: ['Concretely: {point_lc}, starting with a small pilot.'],
    support: ['It holds up when we {point_lc}.'],
    challenge: ['Before we go further we must {point_lc} — right now that is missing.'],
    refine: ['The sharper version: {point_lc}, with one owner and a date.'],
    merge: ['The common thread is to {point_lc}.'],
    human: ['My short answer: {point_lc}.'],
  },
  ko: {
    propose: ['구체적으로는 "{point}"부터 작은 파일럿으로 시작하죠.'],
    support: ['"{point}" — 이 기준으로 봐도 타당합니다.'],
    challenge: ['더 나아가기 전에 "{point}"가 필요한데, 지금은 빠져 있습니다.'],
    refine: ['다듬은 버전: "{point}"에 담당자와 일정을 붙이는 것.'],
    merge: ['공통분모는 "{point}"입니다.'],
    human: ['짧게 답하면: "{point}".'],
  },
};

const TEMPER: Record<Lang, Record<string, string>> = {
  en: {
    pragmatic: 'Ship the smallest version in two weeks and measure it.',
    innovative: 'There is room here for something nobody has tried yet.',
    optimistic: 'I think this can work better than we expect.',
    cautious: 'Let us be honest about what could go wrong first.',
  },
  ko: {
    pragmatic: '가장 작은 버전을 2주 안에 내보내고 측정해 봅시다.',
    innovative: '아직 아무도 시도하지 않은 방식이 들어갈 여지가 있습니다.',
    optimistic: '생각보다 잘 될 수 있다고 봅니다.',
    cautious: '무엇이 잘못될 수 있는지부터 솔직하게 짚어 보죠.',
  },
};

const pick = <T>(rng: () => number, list: readonly T[]): T =>
  list[Math.floor(rng() * list.length) % list.length]!;

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}

/** The guidance bullet lines of a persona ("- Consider every attack vector"). */
export function guidancePoints(persona: Persona | undefined, lang: Lang): string[] {
  const text = persona?.guidance[lang] ?? '';
  const points = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[-*•]\s+/.test(l))
    .map((l) => l.replace(/^[-*•]\s+/, '').replace(/[.。]$/, ''));
  return points.length > 0 ? points : [lang === 'ko' ? '핵심 가정을 검증하기' : 'Test the core assumption'];
}

function vars(ctx: OfflineContext, point: string): Record<string, string> {
  const p = ctx.persona;
  const exp = p?.expertise.length ? p.expertise : ['product'];
  return {
    idea: ctx.idea,
    quote: ctx.quote ?? ctx.idea,
    author: ctx.targetAuthor ?? (ctx.lang === 'ko' ? '앞 발언자' : 'the last speaker'),
    role: p?.role[ctx.lang] ?? (ctx.lang === 'ko' ? '참여자' : 'participant'),
    role_ro: withRo(p?.role.ko ?? '참여자'),
    exp1: exp[0]!,
    exp2: exp[1] ?? exp[0]!,
    point,
    point_lc: point.charAt(0).toLowerCase() + point.slice(1),
  };
}

/** A debate turn in the persona's voice, answering the target with the given reaction. */
export function composeTurn(ctx: OfflineContext): string {
  const reaction =
    ctx.reaction in OPENERS.en && (ctx.quote || ctx.reaction === 'propose') ? ctx.reaction : 'propose';
  const point = pick(ctx.rng, guidancePoints(ctx.persona, ctx.lang));
  const v = vars(ctx, point);
  const personality = ctx.persona?.personality;
  const temper = personality
    ? TEMPER[ctx.lang][ctx.rng() < 0.5 ? personality.action : personality.thinking]
    : undefined;
  const lines = [
    fill(pick(ctx.rng, OPENERS[ctx.lang][reaction]!), v),
    fill(pick(ctx.rng, LENS[ctx.lang]), v),
    fill(pick(ctx.rng, POINT[ctx.lang][reaction]!), v),
    temper,
    ctx.persona?.catchphrase[ctx.lang],
  ];
  return lines.filter(Boolean).join(' ');
}

/** A convergence verdict as the JSON the debate engine asks evaluators for. */
export function composeVerdict(ctx: OfflineContext): string {
  const points = guidancePoints(ctx.persona, ctx.lang);
  const exp = ctx.persona?.expertise.length ? ctx.persona.expertise : ['product'];
  // Offline scores lean positive (6–9, cautious minds one lower) so an offline debate shows all phases.
  let score = 6 + Math.floor(ctx.rng() * 4);
  if (ctx.persona?.personality.thinking === 'cautious') score -= 1;
  score = Math.max(1, Math.min(10, score));
  const ko = ctx.lang === 'ko';
  const verdict = {
    score,
    strengths: [
      ko ? `${exp[0]} 관점에서 설득력이 있음` : `Makes sense from a ${exp[0]} point of view`,
      ko ? `"${ctx.idea}"의 핵심 가치가 분명함` : `The core value of "${ctx.idea}" is clear`,
    ],
    risks: [
      ko ? `아직 검증되지 않음: ${points[0]}` : `Not yet shown: ${lower(points[0]!)}`,
      ko ? `${exp[1] ?? exp[0]} 측면의 불확실성` : `Uncertainty on the ${exp[1] ?? exp[0]} side`,
    ],
    conditions: [
      ko ? `${pick(ctx.rng, points)} — 파일럿 전에 확인` : `${pick(ctx.rng, points)} before the pilot`,
    ],
  };
  return JSON.stringify(verdict);
}

const FINAL_TITLE: Record<Lang, string> = { en: 'Final plan', ko: '최종 계획' };

/** A plan section in Markdown, built from the persona's guidance for that section. */
export function composePlan(ctx: OfflineContext): string {
  const section = ctx.planSection ?? ctx.persona?.planSection;
  const title =
    section === 'final' || section === undefined
      ? FINAL_TITLE[ctx.lang]
      : PLAN_SECTION_LABELS[section][ctx.lang];
  const points = guidancePoints(ctx.persona, ctx.lang);
  const ko = ctx.lang === 'ko';
  const steps = points.map((p, i) => `${i + 1}. ${p}${ko ? '' : '.'}`);
  return [
    `## ${title}: ${ctx.idea}`,
    '',
    ko
      ? `${withRo(ctx.persona?.role.ko ?? '담당자')}서 ${ctx.persona?.expertise.slice(0, 2).join(', ') ?? ''}에 초점을 맞춘 초안입니다.`
      : `A first draft from the ${ctx.persona?.role.en ?? 'planning'} side, focused on ${ctx.persona?.expertise.slice(0, 2).join(' and ') ?? 'the essentials'}.`,
    '',
    ...steps,
    '',
    ko
      ? '> 오프라인 모드에서 생성됨: 모델 없이 페르소나 데이터로 작성한 초안입니다.'
      : '> Written offline: a draft from persona data, without a model.',
  ].join('\n');
}

/** A phase summary: the idea and the gist of the latest points. */
export function composeSummary(ctx: OfflineContext, recentQuotes: string[]): string {
  const ko = ctx.lang === 'ko';
  const head = ko ? `요약 — ${ctx.idea}` : `Summary — ${ctx.idea}`;
  const bullets =
    recentQuotes.length > 0
      ? recentQuotes.map((q) => `- ${q}`)
      : [ko ? '- 아직 논의가 없습니다.' : '- Nothing discussed yet.'];
  return [head, ...bullets].join('\n');
}

// Korean 로/으로: 로 after a vowel or ㄹ final, 으로 after any other final consonant.
function withRo(word: string): string {
  const code = word.trim().codePointAt(word.trim().length - 1) ?? 0;
  if (code < 0xac00 || code > 0xd7a3) return `${word}(으)로`;
  const final = (code - 0xac00) % 28;
  return final === 0 || final === 8 ? `${word}로` : `${word}으로`;
}

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
