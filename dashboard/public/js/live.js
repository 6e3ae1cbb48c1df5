// The LIVE DEBATE panel: phase, round, progress, and messages as they stream in.
import { $, fill, h } from './dom.js';
import { reasonText, t } from './i18n.js';
import { messageCard, setStreamingText, streamingCard } from './messages.js';
import { progressText } from './progress.js';
import { movesProgress, summaryRefresher } from './summary.js';

const FINISHED = new Set(['completed', 'cancelled', 'failed']);
// Rendered messages kept in the panel; the transcript page has all of them.
const MAX_CARDS = 200;

/** Overall progress in percent: divergence rounds fill most of the bar, then convergence, then planning. */
export function progressOf(d) {
  if (!d) return 0;
  if (d.status === 'completed') return 100;
  const rounds = Math.max(1, d.totalRounds);
  if (d.phase === 'divergence') return Math.round(5 + 55 * ((Math.min(d.round, rounds) - 0.5) / rounds));
  if (d.phase === 'convergence') return 72;
  return 88;
}

export function createLivePanel({ persona, onOpen }) {
  const root = $('#panel-debate');
  const list = $('#live-messages', root);
  const streaming = new Map();
  let shown = new Set();
  let live = null;

  const stickToBottom = (fn) => {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    fn();
    if (atBottom) list.scrollTop = list.scrollHeight;
  };

  const renderHead = () => {
    const d = live;
    root.dataset.debate = d?.id ?? '';
    $('#live-empty', root).hidden = Boolean(d);
    $('#live-head', root).hidden = !d;
    if (!d) return;
    $('#live-phase', root).textContent = t('debate.phase', { phase: t(`phase.${d.phase}`) });
    $('#live-phase', root).dataset.phase = d.phase;
    // What ran in this phase, in its own unit (the same words as the transcript and the CLI).
    $('#live-round', root).textContent = d.progress ? progressText(d, (u) => t(`unit.${u}`)) : '';
    $('#live-round', root).dataset.round = String(d.round);
    const st = $('#live-status', root);
    st.textContent = t(`st.${d.status}`);
    st.dataset.status = d.status;
    $('#live-title', root).textContent = d.title;
    const p = progressOf(d);
    const bar = $('#live-progress', root);
    bar.style.setProperty('--p', `${p}%`);
    bar.dataset.pct = String(p);
    const notes = [];
    if (d.status === 'paused' && d.pauseReason)
      notes.push(t('debate.paused', { r: reasonText(d.pauseReason) }));
    if (d.outcome) notes.push(t('debate.outcome', { o: t(`outcome.${d.outcome}`) }));
    $('#live-note', root).textContent = notes.join(' · ');
    const link = $('#live-link', root);
    link.setAttribute('href', `/debates/${encodeURIComponent(d.id)}`);
    link.textContent = t('debate.transcript');
  };

  const byId = (id) => live?.messages.find((m) => m.id === id);
  const refresh = summaryRefresher((fresh) => {
    if (live?.id !== fresh.id) return;
    const { phase, round, totalRounds, progress } = fresh;
    Object.assign(live, { phase, round, totalRounds, progress });
    renderHead();
  });

  const insertCard = (card, turn) => {
    // Keep turn order even when a replayed message arrives after a later one.
    const after = [...list.children].find(
      (c) => Number(c.dataset.turn) > turn && !c.classList.contains('streaming'),
    );
    if (after) list.insertBefore(card, after);
    else list.append(card);
    while (list.children.length > MAX_CARDS) list.firstElementChild.remove();
  };

  const addMessage = (m) => {
    if (shown.has(m.id)) return;
    shown.add(m.id);
    const s = streaming.get(m.turnIndex);
    if (s) {
      s.card.remove();
      streaming.delete(m.turnIndex);
    }
    insertCard(messageCard(m, { persona, byId }), m.turnIndex);
  };

  const startStream = (p) => {
    let s = streaming.get(p.turnIndex);
    if (!s) {
      s = streamingCard(p, persona(p.personaId));
      streaming.set(p.turnIndex, s);
      list.append(s.card);
    }
    return s;
  };

  return {
    current: () => live,
    /** Shows a debate from scratch (snapshot or a newly created one). */
    show(detail, partials = []) {
      live = detail;
      shown = new Set();
      streaming.clear();
      renderHead();
      fill(list);
      if (!detail) return;
      if (detail.omittedMessages) {
        list.append(
          h(
            'button',
            { class: 'earlier', onclick: () => onOpen(detail.id) },
            t('debate.earlier', { n: detail.omittedMessages }),
          ),
        );
      }
      for (const m of detail.messages) addMessage(m);
      for (const p of partials.filter((x) => x.debateId === detail.id)) {
        setStreamingText(startStream(p), p.text);
      }
      list.scrollTop = list.scrollHeight;
    },
    relabel() {
      renderHead();
      const msgs = live?.messages ?? [];
      const partials = [...streaming.entries()].map(([turnIndex, s]) => ({
        debateId: live?.id,
        turnIndex,
        personaId: s.personaId,
        text: s.text,
      }));
      const scroll = list.scrollTop;
      shown = new Set();
      fill(list);
      for (const m of msgs) addMessage(m);
      streaming.clear();
      for (const p of partials) setStreamingText(startStream(p), p.text);
      list.scrollTop = scroll;
    },
    /** Applies one engine event; returns true when it concerned the shown debate. */
    apply(e) {
      if (!live || e.debateId !== live.id) return false;
      switch (e.type) {
        case 'phase.changed':
          Object.assign(live, { phase: e.phase, round: e.round, totalRounds: e.totalRounds });
          renderHead();
          refresh(live.id);
          break;
        case 'turn.started':
          stickToBottom(() => {
            const s = startStream({
              turnIndex: e.turnIndex,
              personaId: e.personaId,
              reaction: e.reaction,
              text: '',
            });
            s.personaId = e.personaId;
          });
          break;
        case 'message.created':
          if (!live.messages.some((m) => m.id === e.message.id)) {
            live.messages.push(e.message);
            live.messageCount = live.messages.length;
          }
          stickToBottom(() => addMessage(e.message));
          if (movesProgress(e.message)) refresh(live.id);
          break;
        case 'debate.paused':
          Object.assign(live, { status: 'paused', pauseReason: e.reason });
          renderHead();
          break;
        case 'debate.resumed':
          Object.assign(live, { status: 'active', pauseReason: null });
          renderHead();
          break;
        case 'debate.completed':
          Object.assign(live, { status: e.status, outcome: e.outcome });
          for (const s of streaming.values()) s.card.remove();
          streaming.clear();
          renderHead();
          break;
        default:
          return false;
      }
      return true;
    },
    delta(e) {
      if (!live || e.debateId !== live.id) return;
      stickToBottom(() => {
        const s = startStream({ turnIndex: e.turnIndex, personaId: e.personaId, text: '' });
        s.personaId = e.personaId;
        setStreamingText(s, s.text + e.delta);
      });
    },
    partial(p) {
      if (!live || p.debateId !== live.id || live.messages.some((m) => m.turnIndex === p.turnIndex)) return;
      const s = startStream(p);
      s.personaId = p.personaId;
      setStreamingText(s, p.text);
    },
    isFinished: () => !live || FINISHED.has(live.status),
  };
}
