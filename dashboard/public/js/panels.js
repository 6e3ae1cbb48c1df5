// The small panels: header, SIGNALS, PROCESSES, OUTPUT, BUDGET, IDEAS. Each renders from the state.
import {
  $,
  fill,
  fmtAgo,
  fmtBytes,
  fmtClock,
  fmtDuration,
  fmtLimit,
  fmtNum,
  fmtUsd,
  h,
  patchList,
  pct,
} from './dom.js';
import { reasonText, t } from './i18n.js';

export function renderHeader(S) {
  $('#version').textContent = `v${S.app.version}`;
  $('#codename').textContent = `“${S.app.codename}”`;
  renderSystem(S);
}

export function renderSystem(S) {
  const sys = S.system;
  $('#mem').textContent = fmtBytes(sys.memBytes);
  $('#cpu').textContent = `${Math.round(sys.cpuPercent)}%`;
  const status = S.connected === false ? 'offline' : sys.status;
  const el = $('#status');
  el.dataset.status = status;
  $('#status-text').textContent = t(`status.${status}`);
}

export function renderSignals(S) {
  const { sources, latest } = S.signals;
  const now = Date.now();
  // Redrawn by every live frame (feed health rides on it): rows are patched, not rebuilt.
  patchList(
    $('#signal-sources'),
    sources.length
      ? sources.map((s) =>
          h(
            'li',
            { class: `src ${s.healthy ? 'ok' : 'stale'}`, data: { key: s.source, source: s.source } },
            h('span', { class: 'caret' }, '▸'),
            h('span', { class: 'src-name' }, s.source),
            h('span', { class: 'src-count' }, fmtNum(s.count)),
            h(
              'span',
              { class: 'src-age', title: s.lastCollectedAt },
              s.healthy ? fmtAgo(s.lastCollectedAt, now) : t('signals.stale'),
            ),
            h('span', { class: 'dot' }, '◉'),
          ),
        )
      : [h('li', { class: 'empty', data: { key: 'empty' } }, t('signals.none'))],
  );
  renderFeeds(S.signals.feeds ?? [], now);
  patchList(
    $('#signal-latest'),
    latest
      .slice(0, 8)
      .map((s) =>
        h(
          'li',
          { class: 'sig', data: { key: s.id, id: s.id } },
          s.url
            ? h(
                'a',
                { class: 'sig-title', href: s.url, target: '_blank', rel: 'noopener noreferrer' },
                s.title,
              )
            : h('span', { class: 'sig-title' }, s.title),
          h(
            'span',
            { class: 'sig-meta' },
            `${s.source} · #${s.category} · ${s.score.toFixed(2)} · ${fmtAgo(s.collectedAt, now)}`,
          ),
        ),
      ),
  );
}

/** Feed health, one compact line per feed; a failing feed is marked and shows why. */
function renderFeeds(feeds, now) {
  $('#signal-feeds-block').hidden = feeds.length === 0;
  patchList(
    $('#signal-feeds'),
    feeds.map((f) =>
      h(
        'li',
        {
          class: `feed ${f.failing ? 'failing' : 'ok'}`,
          data: { key: `${f.source}/${f.category}/${f.name}`, feed: f.name, status: f.status ?? 'new' },
        },
        h('span', { class: 'feed-glyph' }, f.failing ? '✕' : f.status ? '◉' : '○'),
        h('span', { class: 'feed-name', title: `${f.source} · #${f.category}` }, f.name),
        h('span', { class: 'feed-items' }, t('signals.feedItems', { n: fmtNum(f.items) })),
        h(
          'span',
          { class: 'feed-ok', title: f.lastOkAt ?? '' },
          f.lastOkAt ? t('signals.feedOk', { ago: fmtAgo(f.lastOkAt, now) }) : t('signals.feedNever'),
        ),
        h(
          'span',
          { class: 'feed-next', title: f.nextFetchAt ?? '' },
          f.nextFetchAt ? t('signals.feedNext', { at: fmtClock(f.nextFetchAt).slice(0, 5) }) : '',
        ),
        f.failing && f.lastError
          ? h(
              'span',
              { class: 'feed-err', title: f.lastError },
              `${t('signals.feedFailing', { n: f.failures })} · ${f.lastError}`,
            )
          : null,
      ),
    ),
  );
}

const PROC_GLYPH = { running: '◉', idle: '○', starting: '◌', stopped: '■', disabled: '–', error: '✕' };

export function renderProcesses(S) {
  const sys = S.system;
  $('#proc-pid').textContent = t('proc.pid', { pid: sys.pid, up: fmtDuration(sys.uptimeSeconds) });
  const now = Date.now();
  fill(
    $('#proc-rows'),
    S.components.length
      ? S.components.map((c) =>
          h(
            'tr',
            { class: `proc st-${c.status}`, data: { id: c.id }, title: c.lastError ?? c.detail ?? '' },
            h(
              'td',
              { class: 'proc-name' },
              h('span', null, c.name),
              // A failing component says what failed and since when, each on its own line, whole.
              c.status === 'error' && c.lastError
                ? [
                    h('span', { class: 'proc-err' }, c.lastError),
                    c.since
                      ? h(
                          'span',
                          { class: 'proc-since', data: { since: c.since }, title: c.since },
                          t('proc.since', { t: fmtClock(c.since) }),
                        )
                      : null,
                  ]
                : c.detail
                  ? h('span', { class: 'proc-detail' }, c.detail)
                  : null,
            ),
            h('td', { class: 'proc-last' }, c.lastRunAt ? fmtAgo(c.lastRunAt, now) : '—'),
            h(
              'td',
              { class: 'proc-status' },
              h('span', { class: 'glyph' }, PROC_GLYPH[c.status] ?? '?'),
              ` ${t(`proc.${c.status}`)}`,
            ),
          ),
        )
      : h('tr', null, h('td', { colspan: 3, class: 'empty' }, t('proc.none'))),
  );
}

/** One OUTPUT line for an event, or null for events too chatty to list. */
export function outputLine(e, S) {
  const debate = (id) => S.debates.find((d) => d.id === id);
  switch (e.type) {
    case 'debate.created':
      return { level: 'info', text: t('ev.created', { title: e.title }) };
    case 'phase.changed':
      // Rounds belong to divergence; convergence counts evaluations, planning neither.
      return {
        level: 'phase',
        text:
          e.phase === 'divergence'
            ? t('ev.phase', { phase: t(`phase.${e.phase}`), round: e.round, total: e.totalRounds })
            : e.phase === 'convergence'
              ? t('ev.phaseCycle', { phase: t(`phase.${e.phase}`), n: e.round })
              : t('ev.phaseOnly', { phase: t(`phase.${e.phase}`) }),
      };
    case 'message.created':
      if (e.message.authorKind === 'human')
        return { level: 'human', text: t('ev.human', { name: e.message.agentName }) };
      if (e.message.authorKind === 'system') {
        return {
          level: 'info',
          text: t('ev.system', { name: e.message.agentName, reaction: t(`r.${e.message.type}`) }),
        };
      }
      return {
        level: 'msg',
        text: t('ev.message', {
          handle: e.message.handle ?? e.message.agentName,
          reaction: t(`r.${e.message.type}`),
        }),
        color: e.message.color,
      };
    case 'debate.paused':
      return { level: 'warn', text: t('ev.paused', { reason: reasonText(e.reason) }) };
    case 'debate.resumed':
      return { level: 'info', text: t('ev.resumed') };
    case 'debate.completed': {
      const outcome = e.outcome ? ` · ${t(`outcome.${e.outcome}`)}` : '';
      const d = debate(e.debateId);
      return {
        level: e.status === 'completed' ? 'ok' : 'warn',
        text: `${t('ev.completed', { status: t(`st.${e.status}`), outcome })}${d ? ` — ${d.title}` : ''}`,
      };
    }
    case 'log':
      return { level: e.level, text: `[${e.source}] ${e.message}` };
    default:
      return null;
  }
}

export function outputRow(e, S) {
  const line = outputLine(e, S);
  if (!line) return null;
  return h(
    'li',
    { class: `out lvl-${line.level}`, data: { type: e.type } },
    h('span', { class: 'caret' }, '▸'),
    h('span', { class: 'out-time' }, fmtClock(e.at)),
    h('span', { class: 'out-text' }, line.text),
  );
}

export function renderOutput(S) {
  const list = $('#output-lines');
  const rows = S.output.map((e) => outputRow(e, S)).filter(Boolean);
  fill(list, rows.length ? rows : h('li', { class: 'empty' }, t('output.none')));
  list.scrollTop = list.scrollHeight;
}

export function appendOutput(S, e) {
  const row = outputRow(e, S);
  if (!row) return;
  const list = $('#output-lines');
  list.querySelector('.empty')?.remove();
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(row);
  while (list.children.length > 200) list.firstElementChild.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function budgetRow(id, label, w) {
  const used = w.spentUsd + w.reservedUsd;
  const p = pct(used, w.limitUsd);
  return h(
    'div',
    {
      class: `budget-row ${p >= 90 ? 'hot' : p >= 70 ? 'warm' : ''}`,
      id,
      data: { pct: p.toFixed(3), spent: w.spentUsd },
    },
    h(
      'div',
      { class: 'budget-line' },
      h('span', { class: 'budget-label' }, label),
      h('span', { class: 'budget-amount' }, `${fmtUsd(w.spentUsd)} / ${fmtLimit(w.limitUsd)}`),
    ),
    h(
      'div',
      { class: 'bar' },
      h('div', { class: 'bar-fill', '--p': `${p}%` }),
      w.reservedUsd > 0
        ? h('div', {
            class: 'bar-reserved',
            '--p': `${pct(w.reservedUsd, w.limitUsd)}%`,
            '--o': `${pct(w.spentUsd, w.limitUsd)}%`,
          })
        : null,
    ),
    h(
      'div',
      { class: 'budget-sub' },
      h('span', null, t('budget.tokens', { n: fmtNum(w.tokens) })),
      w.reservedUsd > 0 ? h('span', null, t('budget.reserved', { v: fmtUsd(w.reservedUsd) })) : null,
      h('span', { class: 'budget-pct' }, `${p.toFixed(1)}%`),
    ),
  );
}

export function renderBudget(S) {
  const b = S.budget;
  fill(
    $('#budget-body'),
    b
      ? [
          budgetRow('budget-today', t('budget.today'), b.day),
          budgetRow('budget-month', t('budget.month'), b.month),
        ]
      : h('p', { class: 'empty' }, t('budget.none')),
  );
}

const IDEA_ROWS = ['pending', 'in_debate', 'selected', 'planned'];

export function renderIdeas(S) {
  const counts = S.ideas.counts ?? {};
  const max = Math.max(1, ...IDEA_ROWS.map((k) => counts[k] ?? 0));
  fill(
    $('#ideas-counts'),
    IDEA_ROWS.map((k) =>
      h(
        'li',
        { class: `idea-count st-${k}`, data: { status: k } },
        h('span', { class: 'idea-label' }, t(`ideas.${k}`)),
        h('span', { class: 'idea-n' }, fmtNum(counts[k] ?? 0)),
        h(
          'span',
          { class: 'idea-bar' },
          h('span', { class: 'idea-bar-fill', '--p': `${pct(counts[k] ?? 0, max)}%` }),
        ),
      ),
    ),
  );
}
