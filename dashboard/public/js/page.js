// The debate page: the whole transcript by phase, reactions, clickable references, scores and the plan.
import { $, fill, fmtNum, fmtUsd, h, safeColor } from './dom.js';
import { t } from './i18n.js';
import { markdown } from './markdown.js';
import { messageCard, streamingCard, verdictScore } from './messages.js';
import { getJson } from './net.js';

const PLAN_KEYS = ['prd', 'architecture', 'userResearch', 'businessModel', 'projectPlan', 'finalPlan'];

export function createDebatePage({ persona }) {
  const root = $('#debate-page');
  let detail = null;
  let streaming = new Map();

  const byId = (id) => detail?.messages.find((m) => m.id === id);

  const jump = (id) => {
    const el = document.getElementById(`m-${id}`);
    if (!el) return;
    el.scrollIntoView({ behavior: 'smooth', block: 'center' });
    el.classList.remove('flash');
    void el.offsetWidth;
    el.classList.add('flash');
  };

  const renderMeta = () => {
    const d = detail;
    $('#page-title').textContent = d.title;
    const st = $('#page-status');
    st.textContent = t(`st.${d.status}`);
    st.dataset.status = d.status;
    $('#page-meta').textContent = [
      t('debate.phase', { phase: t(`phase.${d.phase}`) }),
      t('debate.round', { i: d.round, n: d.totalRounds }),
      t('debate.messages', { n: d.messages.length }),
      t('debate.tokens', { n: fmtNum(d.promptTokens + d.completionTokens) }),
      fmtUsd(d.costUsd, 4),
      d.outcome ? t('debate.outcome', { o: t(`outcome.${d.outcome}`) }) : null,
    ]
      .filter(Boolean)
      .join(' · ');
  };

  const divider = (m) =>
    h(
      'div',
      { class: 'phase-divider', data: { phase: m.phase } },
      `── ${t(`phase.${m.phase}`)} · ${t('debate.round', { i: m.round, n: detail.totalRounds })} ──`,
    );

  const renderTranscript = () => {
    const list = $('#page-messages');
    const out = [];
    let last = '';
    for (const m of detail.messages) {
      const key = `${m.phase}:${m.round}`;
      if (key !== last) out.push(divider(m));
      last = key;
      out.push(messageCard(m, { persona, byId, onRef: jump, anchor: true }));
    }
    fill(list, out);
    streaming = new Map();
  };

  const scoreRow = (m, score) =>
    h(
      'li',
      { class: 'score-row', '--c': safeColor(m.color), data: { handle: m.handle ?? '' } },
      h(
        'a',
        {
          class: 'badge',
          '--c': safeColor(m.color),
          href: `#m-${m.id}`,
          onclick: (e) => {
            e.preventDefault();
            jump(m.id);
          },
        },
        `@${m.handle ?? m.agentName}`,
      ),
      h('span', { class: 'score-track' }, h('span', { class: 'score-fill', '--p': `${score * 10}%` })),
      h('span', { class: 'score-n' }, score.toFixed(1)),
    );

  // One block per evaluation: a refinement loop brings a second round of verdicts.
  const renderScores = () => {
    const verdicts = detail.messages.filter((m) => m.type === 'verdict');
    const box = $('#page-scores');
    box.closest('section').hidden = verdicts.length === 0;
    const cycles = new Map();
    for (const m of verdicts) {
      const score = verdictScore(m);
      if (score === null) continue;
      const n = Number(m.metadata?.cycle) || 1;
      if (!cycles.has(n)) cycles.set(n, []);
      cycles.get(n).push({ m, score });
    }
    const many = cycles.size > 1;
    fill(
      box,
      [...cycles.entries()].map(([n, rows]) => {
        const avg = rows.reduce((a, x) => a + x.score, 0) / rows.length;
        return [
          many ? h('li', { class: 'score-cycle' }, t('page.cycle', { n })) : null,
          rows.map(({ m, score }) => scoreRow(m, score)),
          h(
            'li',
            { class: 'score-row avg' },
            h('span', null, t('page.average')),
            h('span'),
            h('span', { class: 'score-n' }, avg.toFixed(2)),
          ),
        ];
      }),
    );
  };

  const renderPlan = () => {
    const plan = detail.plan;
    const box = $('#page-plan');
    box.closest('section').hidden = !plan;
    if (!plan) return fill(box);
    fill(
      box,
      PLAN_KEYS.filter((k) => plan[k]).map((k) =>
        h(
          'details',
          { class: 'plan-sec', open: k === 'finalPlan' },
          h('summary', null, t(`plan.${k}`)),
          h('div', { class: 'plan-text' }, markdown(plan[k])),
        ),
      ),
    );
  };

  const renderAll = () => {
    renderMeta();
    renderTranscript();
    renderScores();
    renderPlan();
  };

  const reload = async (id) => {
    try {
      const { debate, partials } = await getJson(`/api/debates/${encodeURIComponent(id)}`);
      if (detail && detail.id !== id) return;
      detail = debate;
      root.dataset.debate = id;
      renderAll();
      for (const p of partials) api.partial(p);
    } catch {
      detail = null;
      $('#page-title').textContent = t('page.notFound');
      fill($('#page-messages'));
    }
  };

  const api = {
    isOpen: () => !root.hidden,
    async open(id) {
      detail = null;
      root.hidden = false;
      root.dataset.debate = id;
      $('#page-title').textContent = '…';
      $('#page-meta').textContent = '';
      fill($('#page-messages'));
      await reload(id);
      detail = detail ?? null;
      window.scrollTo(0, 0);
    },
    close() {
      root.hidden = true;
      detail = null;
    },
    apply(e) {
      if (!detail || e.debateId !== detail.id) return;
      if (e.type === 'message.created') {
        if (byId(e.message.id)) return;
        detail.messages.push(e.message);
        detail.promptTokens += e.message.promptTokens;
        detail.completionTokens += e.message.completionTokens;
        detail.costUsd += e.message.costUsd;
        const s = streaming.get(e.message.turnIndex);
        s?.card.remove();
        streaming.delete(e.message.turnIndex);
        const list = $('#page-messages');
        const prev = detail.messages[detail.messages.length - 2];
        if (!prev || prev.phase !== e.message.phase || prev.round !== e.message.round)
          list.append(divider(e.message));
        list.append(messageCard(e.message, { persona, byId, onRef: jump, anchor: true }));
        renderMeta();
        if (e.message.type === 'verdict') renderScores();
      } else if (e.type === 'phase.changed') {
        Object.assign(detail, { phase: e.phase, round: e.round, totalRounds: e.totalRounds });
        renderMeta();
      } else if (e.type === 'debate.completed' || e.type === 'debate.paused' || e.type === 'debate.resumed') {
        void reload(detail.id);
      }
    },
    delta(e) {
      if (!detail || e.debateId !== detail.id) return;
      let s = streaming.get(e.turnIndex);
      if (!s) {
        s = streamingCard({ ...e, text: '' }, persona(e.personaId));
        streaming.set(e.turnIndex, s);
        $('#page-messages').append(s.card);
      }
      s.body.textContent += e.delta;
    },
    partial(p) {
      if (!detail || p.debateId !== detail.id || detail.messages.some((m) => m.turnIndex === p.turnIndex))
        return;
      let s = streaming.get(p.turnIndex);
      if (!s) {
        s = streamingCard(p, persona(p.personaId));
        streaming.set(p.turnIndex, s);
        $('#page-messages').append(s.card);
      }
      s.body.textContent = p.text;
    },
    relabel() {
      if (detail) renderAll();
    },
  };
  return api;
}
