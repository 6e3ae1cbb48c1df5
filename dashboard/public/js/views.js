// Full-size views opened from the palette or a panel link: signals, budget, backlog, logs, debates, config.
import { $, fill, fmtAgo, fmtClock, fmtLimit, fmtNum, fmtUsd, h, pct } from './dom.js';
import { t } from './i18n.js';
import { getJson, savedToken, saveToken } from './net.js';
import { outputRow } from './panels.js';

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

export function viewLogs(S) {
  openView(
    'output.full',
    h('ul', { class: 'out-list full' }, S.output.map((e) => outputRow(e, S)).filter(Boolean)),
  );
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
