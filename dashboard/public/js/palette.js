// TERMINAL: the `>` prompt, the command palette (↑↓, Enter, Esc, / to search) and one-line questions.
import { $, fill, h } from './dom.js';
import { t } from './i18n.js';

/**
 * `commands(typed)` returns the current commands: `{ id, label, desc, run, always? }`; `typed` is the
 * prompt's text, for commands that take an argument inline (`idea add <text>`). Labels are matched in both
 * languages so a Korean description finds the command too.
 */
export function createPalette({ commands }) {
  const input = $('#term-input');
  const prompt = $('#term-prompt');
  const list = $('#cmd-list');
  const hint = $('#term-hint');
  const feedbackEl = $('#term-feedback');
  const panel = $('#panel-terminal');
  let selected = 0;
  let visible = [];
  let asking = null;

  const setOpen = (open) => {
    panel.classList.toggle('open', open);
    document.body.classList.toggle('sheet-open', open);
  };

  const render = () => {
    const raw = input.value.trim();
    const q = raw.toLowerCase().replace(/^\//, '');
    // A command built from what was typed (`idea add <text>`) is `always` shown.
    visible = commands(raw).filter(
      (c) => c.always || !q || `${c.label} ${c.desc} ${c.id}`.toLowerCase().includes(q),
    );
    if (selected >= visible.length) selected = Math.max(0, visible.length - 1);
    fill(
      list,
      visible.length
        ? visible.map((c, i) =>
            h(
              'li',
              {
                class: `cmd${i === selected ? ' sel' : ''}`,
                'aria-current': i === selected ? 'true' : undefined,
                data: { cmd: c.id },
                onmousedown: (e) => {
                  e.preventDefault();
                  selected = i;
                  runSelected();
                },
                onmousemove: () => {
                  if (selected !== i) {
                    selected = i;
                    render();
                  }
                },
              },
              h('span', { class: 'cmd-caret' }, i === selected ? '▸' : ' '),
              h('span', { class: 'cmd-label' }, c.label),
              h('span', { class: 'cmd-desc' }, c.desc),
            ),
          )
        : h('li', { class: 'cmd empty' }, t('term.noMatch')),
    );
    keepSelectedInList();
  };

  // Scrolls the list only: scrollIntoView would also scroll the page, and the palette renders at
  // load, so the dashboard would open scrolled down to the terminal.
  const keepSelectedInList = () => {
    const sel = list.querySelector('.sel');
    if (!sel || list.scrollHeight <= list.clientHeight) return;
    const l = list.getBoundingClientRect();
    const s = sel.getBoundingClientRect();
    if (s.top < l.top) list.scrollTop -= l.top - s.top;
    else if (s.bottom > l.bottom) list.scrollTop += s.bottom - l.bottom;
  };

  const runSelected = () => {
    const c = visible[selected];
    if (!c) return;
    input.value = '';
    selected = 0;
    render();
    c.run();
  };

  const finishAsk = (value) => {
    const a = asking;
    asking = null;
    panel.classList.remove('asking');
    prompt.textContent = '>';
    input.type = 'text';
    input.value = '';
    input.placeholder = t('term.placeholder');
    input.setAttribute('autocomplete', 'off');
    hint.textContent = '';
    render();
    a?.resolve(value);
  };

  input.addEventListener('keydown', (e) => {
    if (asking) {
      if (e.key === 'Enter') {
        e.preventDefault();
        const v = input.value.trim();
        if (v) finishAsk(v);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        finishAsk(null);
      }
      return;
    }
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      selected = visible.length ? (selected + 1) % visible.length : 0;
      render();
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      selected = visible.length ? (selected - 1 + visible.length) % visible.length : 0;
      render();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      runSelected();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      if (input.value) {
        input.value = '';
        render();
      } else {
        input.blur();
        setOpen(false);
      }
    }
  });
  input.addEventListener('input', () => {
    if (asking) return;
    selected = 0;
    render();
  });
  input.addEventListener('focus', () => setOpen(true));

  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      focus();
    }
  });
  $('#command-bar')?.addEventListener('click', () => focus());
  $('#sheet-close')?.addEventListener('click', () => {
    if (asking) finishAsk(null);
    input.blur();
    setOpen(false);
  });

  function focus() {
    setOpen(true);
    input.focus();
  }

  render();
  return {
    render,
    focus,
    /** Asks one question on the prompt line; resolves with the answer, or null on Esc. */
    ask(kind, { secret = false } = {}) {
      if (asking) finishAsk(null);
      return new Promise((resolve) => {
        asking = { resolve };
        panel.classList.add('asking');
        prompt.textContent = `${t(`ask.${kind}`)}>`;
        input.type = secret ? 'password' : 'text';
        input.value = '';
        input.placeholder = t(`ask.${kind}.hint`);
        input.setAttribute('autocomplete', secret ? 'current-password' : 'off');
        hint.textContent = t(`ask.${kind}.hint`);
        focus();
      });
    },
    feedback(text, kind = 'info') {
      feedbackEl.textContent = text;
      feedbackEl.dataset.kind = kind;
    },
    close() {
      if (asking) finishAsk(null);
      input.blur();
      setOpen(false);
    },
    relabel() {
      if (!asking) input.placeholder = t('term.placeholder');
      render();
    },
  };
}
