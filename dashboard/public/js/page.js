// The debate page: the whole transcript by phase, reactions, clickable references, scores and the plan.
import { $, fill, fmtNum, fmtUsd, h, safeColor } from './dom.js';
import { t } from './i18n.js';
import { markdown } from './markdown.js';
import { messageCard, setStreamingText, streamingCard, verdictScore } from './messages.js';
import { getJson } from './net.js';
import { phaseProgressText } from './progress.js';
import { evaluations } from './scores.js';
import { movesProgress, summaryRefresher } from './summary.js';

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
      // What ran, in the phase's own unit (the same words as `arena debates list`).
      phaseProgressText(d, { phase: (p) => t(`phase.${p}`), unit: (u) => t(`unit.${u}`) }),
      t('debate.messages', { n: d.messages.length }),
      t('debate.tokens', { n: fmtNum(d.promptTokens + d.completionTokens) }),
      fmtUsd(d.costUsd, 4),
      d.outcome ? t('debate.outcome', { o: t(`outcome.${d.outcome}`) }) : null,
    ]
      .filter(Boolean)
      .join(' · ');
  };

  // Divergence counts rounds, convergence its evaluations (a message's round is its cycle there).
  const divider = (m) =>
    h(
      'div',
      { class: 'phase-divider', data: { phase: m.phase } },
      `── ${[
        t(`phase.${m.phase}`),
        m.phase === 'divergence'
          ? t('debate.roundOf', { i: m.round })
          : m.phase === 'convergence'
            ? t('page.cycle', { n: m.round })
            : null,
      ]
        .filter(Boolean)
        .join(' · ')} ──`,
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

  const scoreRow = (m) => {
    const score = verdictScore(m);
    return h(
      'li',
      {
        class: `score-row${score === null ? ' unreadable' : ''}`,
        '--c': safeColor(m.color),
        data: { handle: m.handle ?? '' },
      },
      h(
        'a',
        {
          class: 'badge',
          '--c': safeColor(m.color),
          href: `#m-${m.id}`,
          title: m.agentName,
          onclick: (e) => {
            e.preventDefault();
            jump(m.id);
          },
        },
        `@${m.handle ?? m.agentName}`,
      ),
      h(
        'span',
        { class: 'score-track' },
        score === null ? null : h('span', { class: 'score-fill', '--p': `${score * 10}%` }),
      ),
      h('span', { class: 'score-n' }, score === null ? t('page.unreadable') : score.toFixed(1)),
    );
  };

  // The decision as the engine took it: its outcome and the average it used, never recomputed here.
  const decisionRow = ({ decision, m }) =>
    h(
      'li',
      { class: 'score-row decision', data: { outcome: decision.outcome, turn: m.turnIndex } },
      h('span', { class: 'score-outcome' }, `→ ${t(`outcome.${decision.outcome}`)}`),
      h(
        'span',
        { class: 'score-read' },
        decision.valid !== null && decision.total !== null
          ? t('page.read', { valid: decision.valid, total: decision.total })
          : '',
      ),
      h(
        'span',
        { class: 'score-n', title: t('page.average') },
        decision.average === null ? '—' : decision.average.toFixed(1),
      ),
    );

  // One block per evaluation (convergence cycle): a refinement loop brings a second one.
  const renderScores = () => {
    const cycles = evaluations(detail.messages);
    const box = $('#page-scores');
    box.closest('section').hidden = cycles.length === 0;
    fill(
      box,
      cycles.map(({ cycle, entries }) =>
        h(
          'li',
          { class: 'score-cycle', data: { cycle } },
          h('div', { class: 'score-cycle-title' }, t('page.cycle', { n: cycle })),
          h(
            'ol',
            { class: 'score-rows' },
            entries.map((e) => (e.verdict ? scoreRow(e.verdict) : decisionRow(e))),
          ),
        ),
      ),
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

  // The header's progress is the server's count (verdicts, sections): fetched again when it moves.
  const refresh = summaryRefresher((fresh) => {
    if (detail?.id !== fresh.id) return;
    const { phase, round, totalRounds, progress } = fresh;
    Object.assign(detail, { phase, round, totalRounds, progress });
    renderMeta();
  });
  const refreshMeta = () => detail && refresh(detail.id);

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
        if (e.message.type === 'verdict' || e.message.metadata?.step?.kind === 'outcome') renderScores();
        if (movesProgress(e.message)) refreshMeta();
      } else if (e.type === 'phase.changed') {
        Object.assign(detail, { phase: e.phase, round: e.round, totalRounds: e.totalRounds });
        refreshMeta();
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
      setStreamingText(s, s.text + e.delta);
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
      setStreamingText(s, p.text);
    },
    relabel() {
      if (detail) renderAll();
    },
  };
  return api;
}
