// Agentic Arena dashboard: loads one snapshot, then follows the live event stream.
import { $, h } from './js/dom.js';
import { applyStatic, currentLang, onLangChange, setLang, t } from './js/i18n.js';
import { createLivePanel } from './js/live.js';
import { connectEvents, getJson, postAction, savedToken, saveToken } from './js/net.js';
import { createDebatePage } from './js/page.js';
import { createPalette } from './js/palette.js';
import {
  appendOutput,
  renderBudget,
  renderHeader,
  renderIdeas,
  renderOutput,
  renderProcesses,
  renderSignals,
  renderSystem,
} from './js/panels.js';
import {
  closeView,
  initViews,
  viewBudget,
  viewConfig,
  viewDebates,
  viewIdeas,
  viewLogs,
  viewSignals,
} from './js/views.js';

const S = { connected: true };
let personasById = new Map();
const persona = (id) => personasById.get(id);
let switching = null;

const live = createLivePanel({ persona, onOpen: (id) => navigate(`/debates/${id}`) });
const page = createDebatePage({ persona });
const palette = createPalette({ commands });

async function loadState() {
  Object.assign(S, await getJson('/api/state'));
  personasById = new Map(S.personas.map((p) => [p.id, p]));
}

function renderAll() {
  renderHeader(S);
  renderSignals(S);
  renderProcesses(S);
  renderOutput(S);
  renderBudget(S);
  renderIdeas(S);
  live.show(S.live, S.partials);
  palette.render();
}

function relabel() {
  renderHeader(S);
  renderSignals(S);
  renderProcesses(S);
  renderOutput(S);
  renderBudget(S);
  renderIdeas(S);
  live.relabel();
  page.relabel();
  palette.relabel();
  for (const b of document.querySelectorAll('[data-lang]'))
    b.setAttribute('aria-pressed', String(b.dataset.lang === currentLang()));
}

// ---- live events ----

let ideasTimer = null;
function refreshIdeasSoon() {
  clearTimeout(ideasTimer);
  ideasTimer = setTimeout(async () => {
    const { ideas, counts } = await getJson('/api/ideas?limit=8').catch(() => ({}));
    if (!counts) return;
    S.ideas = { counts, recent: ideas };
    renderIdeas(S);
  }, 400);
}

function trackDebates(e) {
  if (e.type === 'debate.created') {
    S.debates.unshift({
      id: e.debateId,
      ideaId: e.ideaId,
      title: e.title,
      status: 'active',
      pauseReason: null,
      phase: 'divergence',
      round: 1,
      totalRounds: e.rounds,
      progress: { done: 1, total: e.rounds },
      outcome: null,
      lang: e.lang,
      messageCount: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      startedAt: e.at,
      completedAt: null,
    });
    return;
  }
  const d = S.debates.find((x) => x.id === e.debateId);
  if (!d) return;
  if (e.type === 'phase.changed') Object.assign(d, { phase: e.phase, round: e.round });
  else if (e.type === 'debate.paused') Object.assign(d, { status: 'paused', pauseReason: e.reason });
  else if (e.type === 'debate.resumed') d.status = 'active';
  else if (e.type === 'debate.completed') Object.assign(d, { status: e.status, outcome: e.outcome });
  else if (e.type === 'message.created') d.messageCount++;
}

const LIFECYCLE = new Set([
  'debate.created',
  'debate.paused',
  'debate.resumed',
  'debate.completed',
  'phase.changed',
]);

/** Scrolls LIVE DEBATE into view when it is off-screen (on the grid page only). */
function bringLiveIntoView() {
  if (document.body.dataset.route !== 'home') return;
  const r = $('#panel-debate').getBoundingClientRect();
  if (r.top < 0 || r.top > window.innerHeight - 80) $('#panel-debate').scrollIntoView({ block: 'start' });
}

function onEvent(e) {
  if (switching && e.debateId === switching.id) switching.buffer.push(e);
  trackDebates(e);
  // A new debate takes over the panel unless the panel follows one that is still running.
  if (e.type === 'debate.created' && live.isFinished() && !switching) {
    const d = S.debates[0];
    live.show({ ...d, messages: [], plan: null });
    bringLiveIntoView();
  }
  live.apply(e);
  page.apply(e);
  // say / pause / resume / stop depend on the followed debate's status.
  if (LIFECYCLE.has(e.type)) palette.render();
  if (e.type === 'budget.updated') {
    S.budget = e.budget;
    renderBudget(S);
  }
  if (e.type === 'debate.created' || e.type === 'debate.completed') refreshIdeasSoon();
  if (e.type !== 'budget.updated') {
    S.output.push(e);
    if (S.output.length > 300) S.output.splice(0, S.output.length - 300);
    appendOutput(S, e);
  }
}

function onDelta(e) {
  live.delta(e);
  page.delta(e);
}

function onPartial(p) {
  live.partial(p);
  page.partial(p);
}

/** Makes the LIVE DEBATE panel follow another debate without losing events that arrive meanwhile. */
async function switchLive(id) {
  if (live.current()?.id === id) return;
  switching = { id, buffer: [] };
  try {
    const { debate, partials } = await getJson(`/api/debates/${encodeURIComponent(id)}`);
    const buffered = switching.buffer;
    switching = null;
    live.show(debate, partials);
    palette.render();
    // Deltas are not replayed: the partial text above already has them, and message.created
    // brings the whole text anyway.
    for (const e of buffered) live.apply(e);
  } catch {
    switching = null;
  }
}

let offlineTimer = null;
function setConnected(ok) {
  S.connected = ok;
  if (S.system) renderSystem(S);
}

function connect() {
  connectEvents(S.eventId, {
    event: onEvent,
    delta: onDelta,
    partial: onPartial,
    system(s) {
      S.system = { ...S.system, ...s };
      if (s.components) S.components = s.components;
      renderSystem(S);
      renderProcesses(S);
      if (s.feeds) {
        S.signals.feeds = s.feeds;
        renderSignals(S);
      }
    },
    async resync() {
      // The server could not replay what we missed (it restarted, or we were away too long).
      await loadState();
      renderAll();
      route();
    },
    connection(ok) {
      // The browser reconnects within a second or two; only a longer gap is worth showing.
      clearTimeout(offlineTimer);
      if (ok) setConnected(true);
      else offlineTimer = setTimeout(() => setConnected(false), 4000);
    },
  });
}

// ---- actions ----

async function act(path, body) {
  if (S.config.actions === 'disabled') {
    palette.feedback(t('say.disabled'), 'err');
    return null;
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    if (S.config.actions === 'token' && !savedToken()) {
      const token = await palette.ask('token', { secret: true });
      if (!token) return null;
      saveToken(token);
    }
    const r = await postAction(path, body);
    if (r.ok) return r.body;
    if (r.status === 401) {
      saveToken(null);
      palette.feedback(t('say.badToken'), 'err');
      continue;
    }
    palette.feedback(t('say.error', { message: r.message }), 'err');
    return null;
  }
  return null;
}

async function startDebate(input) {
  const started = await act('/api/debates', { ...input, lang: currentLang() });
  if (!started) return;
  navigate('/');
  await switchLive(started.debateId);
  palette.feedback(t('say.started', { title: started.title }), 'ok');
  palette.close();
  bringLiveIntoView();
}

function debateIdea(idea) {
  closeView();
  return startDebate({ ideaId: idea.id });
}

function liveId() {
  const d = live.current();
  if (!d) palette.feedback(t('say.noLive'), 'err');
  return d?.id;
}

async function control(kind) {
  const id = liveId();
  if (!id) return;
  if (await act(`/api/debates/${id}/${kind}`, {})) palette.feedback(t('say.done'), 'ok');
}

async function addIdea(typed) {
  const title = typed || (await palette.ask('ideaAdd'));
  if (!title) return;
  const added = await act('/api/ideas', { title });
  if (!added) return;
  palette.feedback(t('say.ideaAdded', { title: added.idea.title }), 'ok');
  refreshIdeasSoon();
}

function commands(typed = '') {
  const d = live.current();
  const running = d && (d.status === 'active' || d.status === 'paused');
  const list = [
    {
      id: 'start',
      run: async () => {
        const idea = await palette.ask('idea');
        if (idea) await startDebate({ idea });
      },
    },
    { id: 'signals', run: () => viewSignals() },
    {
      id: 'debate',
      run: () => (d ? navigate(`/debates/${d.id}`) : viewDebates((id) => navigate(`/debates/${id}`))),
    },
    { id: 'budget', run: () => viewBudget() },
    { id: 'ideas', run: () => viewIdeas(debateIdea) },
  ];
  if (running) {
    list.push({
      id: 'say',
      run: async () => {
        const id = liveId();
        const text = id && (await palette.ask('say'));
        if (text && (await act(`/api/debates/${id}/messages`, { text })))
          palette.feedback(t('say.sent'), 'ok');
      },
    });
    list.push(
      d.status === 'paused'
        ? { id: 'resume', run: () => control('resume') }
        : { id: 'pause', run: () => control('pause') },
    );
    list.push({ id: 'stop', run: () => control('stop') });
  }
  for (const name of S.config?.jobs ?? []) {
    list.push({
      id: `job:${name}`,
      label: t('cmd.job', { name }),
      desc: t('cmd.job.d'),
      run: async () => {
        if (await act(`/api/jobs/${encodeURIComponent(name)}/run`, {}))
          palette.feedback(t('say.jobStarted', { name }), 'ok');
      },
    });
  }
  // `idea add <text>` typed in full runs with that text; chosen bare, it asks for the text.
  const inline = /^\/?idea\s+add(?:\s+(.+))?$/i.exec(typed);
  if (inline?.[1]) {
    const text = inline[1].trim();
    list.unshift({
      id: 'ideaAdd',
      label: t('cmd.ideaAdd.with', { text: text.length > 60 ? `${text.slice(0, 60)}…` : text }),
      always: true,
      run: () => addIdea(text),
    });
  } else list.push({ id: 'ideaAdd', run: () => addIdea(null) });
  list.push({ id: 'config', run: () => viewConfig(S, () => viewConfig(S, () => {})) });
  return list.map((c) => ({ label: t(`cmd.${c.id}`), desc: t(`cmd.${c.id}.d`), ...c }));
}

// ---- routing: `/` is the grid, `/debates/:id` the transcript ----

function route() {
  const m = /^\/debates\/([^/]+)$/.exec(location.pathname);
  document.body.dataset.route = m ? 'debate' : 'home';
  $('#grid').hidden = Boolean(m);
  if (m) void page.open(decodeURIComponent(m[1]));
  else page.close();
}

function navigate(path) {
  if (location.pathname !== path) history.pushState(null, '', path);
  closeView();
  route();
}

document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[href^="/"]') : null;
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || a.target === '_blank') return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', route);

// ---- chrome: language switch, mobile tabs, panel links ----

for (const b of document.querySelectorAll('[data-lang]'))
  b.addEventListener('click', () => setLang(b.dataset.lang));
onLangChange(relabel);
for (const b of document.querySelectorAll('[data-tab-button]')) {
  b.addEventListener('click', () => {
    document.body.dataset.tab = b.dataset.tabButton;
    for (const x of document.querySelectorAll('[data-tab-button]'))
      x.setAttribute('aria-selected', String(x === b));
  });
}
$('#ideas-backlog').addEventListener('click', () => viewIdeas(debateIdea));
$('#output-full').addEventListener('click', () => viewLogs(S));
$('#signals-all').addEventListener('click', () => viewSignals());
initViews();

async function boot() {
  applyStatic(document);
  relabelButtons();
  try {
    await loadState();
  } catch (error) {
    document.body.prepend(h('p', { class: 'boot-error' }, String(error.message ?? error)));
    return;
  }
  renderAll();
  relabel();
  connect();
  route();
  document.body.dataset.ready = 'true';
}

function relabelButtons() {
  for (const b of document.querySelectorAll('[data-lang]'))
    b.setAttribute('aria-pressed', String(b.dataset.lang === currentLang()));
}

void boot();
