// Full-size views opened from the palette or a panel link: signals, budget, backlog, logs, debates, config.
import { $, fill, fmtAgo, fmtClock, fmtLimit, fmtNum, fmtUsd, h, pct } from './dom.js';
import { t } from './i18n.js';
import { getJson, savedToken, saveToken } from './net.js';

let onClose = null;

export function openView(titleKey, body) {
  const overlay = $('#overlay');
  $('#view-title').dataset.i18n = titleKey;
  $('#view-title').textContent = t(titleKey);
  fill($('#view-body'), body);
  overlay.hidden = false;
  overlay.dataset.view = titleKey;
  $('#view-close').focus();
}

export function closeView() {
  const overlay = $('#overlay');
  if (overlay.hidden) return false;
  overlay.hidden = true;
  onClose?.();
  return true;
}

export function initViews() {
  $('#view-close').addEventListener('click', closeView);
  $('#overlay').addEventListener('click', (e) => {
    if (e.target === e.currentTarget) closeView();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeView();
  });
}

const table = (head, rows) =>
  h(
    'table',
    { class: 'view-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((x) => h('th', null, x)),
      ),
    ),
    h('tbody', null, rows),
  );

export async function viewSignals() {
  const { signals, sources } = await getJson('/api/signals?limit=100&hours=168');
  openView('view.signals', [
    h('p', { class: 'view-sub' }, sources.map((s) => `${s.source} ${s.count}`).join(' · ')),
    table(
      [t('col.score'), t('col.source'), t('col.title'), t('col.when')],
      signals.map((s) =>
        h(
          'tr',
          null,
          h('td', { class: 'num' }, s.score.toFixed(2)),
          h('td', null, `${s.source} #${s.category}`),
          h(
            'td',
            null,
            s.url ? h('a', { href: s.url, target: '_blank', rel: 'noopener noreferrer' }, s.title) : s.title,
          ),
          h('td', { class: 'muted' }, fmtAgo(s.collectedAt)),
        ),
      ),
    ),
  ]);
}

export async function viewBudget() {
  const { budget, byModel } = await getJson('/api/budget');
  const row = (label, w) =>
    h(
      'div',
      { class: 'budget-row' },
      h(
        'div',
        { class: 'budget-line' },
        h('span', { class: 'budget-label' }, label),
        h('span', null, `${fmtUsd(w.spentUsd)} / ${fmtLimit(w.limitUsd)}`),
      ),
      h(
        'div',
        { class: 'bar' },
        h('div', { class: 'bar-fill', '--p': `${pct(w.spentUsd + w.reservedUsd, w.limitUsd)}%` }),
      ),
      h('div', { class: 'budget-sub' }, h('span', null, t('budget.tokens', { n: fmtNum(w.tokens) }))),
    );
  openView('view.budget', [
    row(`${t('budget.today')} ${budget.day.date}`, budget.day),
    row(`${t('budget.month')} ${budget.month.month}`, budget.month),
    h('h3', { class: 'view-h' }, t('budget.byModel')),
    table(
      [t('col.model'), t('col.in'), t('col.out'), t('col.req'), t('col.cost')],
      byModel.map((m) =>
        h(
          'tr',
          null,
          h('td', null, `${m.provider}/${m.model}`),
          h('td', { class: 'num' }, fmtNum(m.inputTokens)),
          h('td', { class: 'num' }, fmtNum(m.outputTokens)),
          h('td', { class: 'num' }, fmtNum(m.requests)),
          h('td', { class: 'num' }, fmtUsd(m.costUsd, 4)),
        ),
      ),
    ),
  ]);
}

export async function viewIdeas(debateIdea) {
  const { ideas } = await getJson('/api/ideas?limit=200');
  openView(
    'view.ideas',
    ideas.length
      ? table(
          ['', t('col.title'), t('col.score'), ''],
          ideas.map((i) =>
            h(
              'tr',
              { data: { idea: i.id } },
              h('td', null, h('span', { class: `pill st-${i.status}` }, t(`ideas.${i.status}`))),
              h('td', null, i.title),
              h('td', { class: 'num' }, Number(i.score).toFixed(2)),
              h(
                'td',
                null,
                i.status === 'pending'
                  ? h('button', { class: 'btn', onclick: () => debateIdea(i) }, `▸ ${t('ideas.debate')}`)
                  : '',
              ),
            ),
          ),
        )
      : h('p', { class: 'empty' }, t('ideas.none')),
  );
}

const LOG_PAGE = 50;
const LOG_LEVELS = ['', 'error', 'warn', 'info'];

/** Stored warnings and errors (system_logs), newest first, filtered by level, a page at a time. */
export async function viewLogs(_S, level = '', offset = 0) {
  const q = new URLSearchParams({ limit: String(LOG_PAGE), offset: String(offset) });
  if (level) q.set('level', level);
  const page = await getJson(`/api/logs?${q}`);
  const go = (lvl, off) => () => viewLogs(_S, lvl, Math.max(0, off));
  const filters = h(
    'div',
    { class: 'log-filters', role: 'group' },
    LOG_LEVELS.map((l) =>
      h(
        'button',
        {
          type: 'button',
          class: `btn log-level${l === level ? ' on' : ''}`,
          'aria-pressed': l === level ? 'true' : 'false',
          data: { level: l || 'all' },
          onclick: go(l, 0),
        },
        t(`logs.level.${l || 'all'}`),
      ),
    ),
  );
  const rows = page.logs.map((r) =>
    h(
      'li',
      { class: `out lvl-${r.level}`, data: { level: r.level } },
      h('span', { class: 'caret' }, '▸'),
      h('span', { class: 'out-time', title: r.at }, logTime(r.at)),
      h('span', { class: 'out-text' }, `[${r.source}] ${r.message}`),
    ),
  );
  const from = page.total ? offset + 1 : 0;
  const pager = h(
    'div',
    { class: 'log-pager' },
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        id: 'logs-newer',
        disabled: offset === 0,
        onclick: go(level, offset - LOG_PAGE),
      },
      t('logs.newer'),
    ),
    h(
      'span',
      { class: 'muted', id: 'logs-range' },
      t('logs.range', { from, to: offset + page.logs.length, total: page.total }),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'btn',
        id: 'logs-older',
        disabled: !page.hasMore,
        onclick: go(level, offset + LOG_PAGE),
      },
      t('logs.older'),
    ),
  );
  openView('output.full', [
    filters,
    rows.length
      ? h('ul', { class: 'out-list full', id: 'logs-list' }, rows)
      : h('p', { class: 'empty' }, t('logs.none')),
    pager,
  ]);
}

/** `MM-DD HH:MM:SS` in local time: full logs span days. */
function logTime(iso) {
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export async function viewDebates(openDebate) {
  const { debates } = await getJson('/api/debates?limit=50');
  openView(
    'view.debates',
    table(
      ['', t('col.title'), t('col.phase'), t('col.msgs'), t('col.cost'), t('col.started')],
      debates.map((d) =>
        h(
          'tr',
          null,
          h('td', null, h('span', { class: `pill st-${d.status}` }, t(`st.${d.status}`))),
          h(
            'td',
            null,
            h(
              'a',
              {
                href: `/debates/${d.id}`,
                onclick: (e) => {
                  e.preventDefault();
                  openDebate(d.id);
                },
              },
              d.title,
            ),
          ),
          h('td', null, t(`phase.${d.phase}`)),
          h('td', { class: 'num' }, fmtNum(d.messageCount)),
          h('td', { class: 'num' }, fmtUsd(d.costUsd, 3)),
          h('td', { class: 'muted' }, fmtClock(d.startedAt)),
        ),
      ),
    ),
  );
}

export function viewConfig(S, rerender) {
  const rows = [
    [t('cfg.version'), `v${S.app.version} “${S.app.codename}”`],
    [t('cfg.db'), S.config.dialect],
    [t('cfg.url'), S.config.publicUrl],
    [t('cfg.actions'), t(`cfg.actions.${S.config.actions}`)],
    [t('cfg.jobs'), S.config.jobs.join(', ') || '—'],
    [t('cfg.token'), savedToken() ? t('cfg.tokenSet') : t('cfg.tokenUnset')],
  ];
  openView('view.config', [
    h(
      'dl',
      { class: 'cfg' },
      rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
    ),
    savedToken()
      ? h(
          'button',
          {
            class: 'btn',
            onclick: () => {
              saveToken(null);
              rerender();
            },
          },
          t('cfg.forget'),
        )
      : null,
  ]);
}

export function setOnClose(fn) {
  onClose = fn;
}
