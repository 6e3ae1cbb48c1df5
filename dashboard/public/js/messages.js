// Debate messages as cards, shared by the LIVE DEBATE panel and the transcript page.
import { fill, fmtClock, h, safeColor } from './dom.js';
import { t } from './i18n.js';
import { markdown } from './markdown.js';

/** The evaluator's score of a verdict message, wherever the engine put it. */
export function verdictScore(m) {
  const md = m.metadata ?? {};
  const v = md.verdict && typeof md.verdict === 'object' ? md.verdict : md;
  const score = Number(v.score);
  return Number.isFinite(score) && score > 0 ? score : null;
}

/** The persona's avatar (the server's generated PNG, or a redirect to its own image). */
export function avatar(personaId) {
  return h('img', {
    class: 'avatar',
    src: `/avatars/${encodeURIComponent(personaId)}.png`,
    alt: '',
    width: 22,
    height: 22,
    loading: 'lazy',
    decoding: 'async',
  });
}

function badge(m, persona) {
  if (m.authorKind === 'human')
    return h('span', { class: 'badge human' }, `${t('debate.human')} · ${m.agentName}`);
  if (m.authorKind === 'system') return h('span', { class: 'badge system' }, t('debate.system'));
  const handle = m.handle ?? persona?.handle ?? m.agentName;
  return h(
    'span',
    { class: 'badge', '--c': safeColor(m.color ?? persona?.color), title: m.agentName },
    `@${handle}`,
  );
}

/**
 * One message. `opts.byId` resolves references to earlier messages; `opts.onRef` makes them clickable.
 */
export function messageCard(m, opts = {}) {
  const persona = opts.persona?.(m.agentId);
  const refs = (m.references ?? []).map((id) => opts.byId?.(id)).filter(Boolean);
  const score = m.type === 'verdict' ? verdictScore(m) : null;
  const card = h(
    'article',
    {
      class: `msg ${m.authorKind} type-${m.type}`,
      id: opts.anchor ? `m-${m.id}` : undefined,
      data: { id: m.id, turn: m.turnIndex, handle: m.handle ?? '', kind: m.authorKind },
      '--c': safeColor(m.color ?? persona?.color),
    },
    h(
      'header',
      { class: 'msg-head' },
      m.authorKind === 'persona' ? avatar(m.agentId) : null,
      badge(m, persona),
      h('span', { class: 'msg-type' }, t(`r.${m.type}`)),
      score !== null ? h('span', { class: 'msg-score' }, `${score}/10`) : null,
      h('span', { class: 'msg-time' }, fmtClock(m.createdAt)),
    ),
    refs.length
      ? h(
          'div',
          { class: 'msg-refs' },
          `↳ ${t('page.refs')} `,
          refs.map((r) =>
            opts.onRef
              ? h(
                  'a',
                  {
                    class: 'ref',
                    href: `#m-${r.id}`,
                    data: { ref: r.id },
                    onclick: (e) => {
                      e.preventDefault();
                      opts.onRef(r.id);
                    },
                  },
                  `${r.handle ? `@${r.handle}` : r.agentName} #${r.turnIndex}`,
                )
              : h('span', { class: 'ref' }, `${r.handle ? `@${r.handle}` : r.agentName} #${r.turnIndex}`),
          ),
        )
      : null,
    h('div', { class: 'msg-body' }, markdown(opts.clip ? clip(m.content, opts.clip) : m.content)),
    score !== null ? h('div', { class: 'score-bar', '--p': `${score * 10}%` }) : null,
  );
  return card;
}

/** A turn whose text is still arriving; `setStreamingText` shows more of it. */
export function streamingCard(p, persona) {
  const color = safeColor(persona?.color);
  const body = h('div', { class: 'msg-body' }, markdown(p.text));
  const card = h(
    'article',
    {
      class: 'msg persona streaming',
      data: { turn: p.turnIndex, handle: persona?.handle ?? '' },
      '--c': color,
    },
    h(
      'header',
      { class: 'msg-head' },
      persona ? avatar(p.personaId) : null,
      persona
        ? h('span', { class: 'badge', '--c': color }, `@${persona.handle}`)
        : h('span', { class: 'badge system' }, t('debate.system')),
      h('span', { class: 'msg-type' }, p.reaction ? t(`r.${p.reaction}`) : ''),
      h('span', { class: 'msg-time typing' }, t('debate.speaking')),
    ),
    body,
  );
  return { card, body, text: p.text ?? '' };
}

/** The text so far of a turn still arriving, drawn as Markdown the same way as a saved message. */
export function setStreamingText(s, text) {
  s.text = text;
  fill(s.body, markdown(text));
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
