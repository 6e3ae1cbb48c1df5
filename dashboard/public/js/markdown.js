// The little Markdown models write (headings, bullets, **bold**, `code`) as DOM nodes, never as HTML.
import { h } from './dom.js';

const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^(\s*)[-*+]\s+(.*)$/;
// `__bold__` only between non-word characters, as in CommonMark: `window.__x` and `snake__case` stay text.
const INLINE = /\*\*([^*\n]+)\*\*|(?<!\w)__([^_\n]+)__(?!\w)|`([^`\n]+)`/g;

/** Text with inline emphasis and code as nodes. */
export function inline(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[3] !== undefined) out.push(h('code', { class: 'md-code' }, m[3]));
    else out.push(h('strong', null, m[1] ?? m[2]));
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A message body as a flat list of nodes and strings: headings as headings, bullets as bullets. */
export function markdown(text) {
  const out = [];
  const lines = String(text ?? '').split('\n');
  lines.forEach((line, i) => {
    if (i > 0) out.push('\n');
    const heading = HEADING.exec(line);
    if (heading) {
      out.push(h('span', { class: 'md-h', data: { level: heading[1].length } }, inline(heading[2])));
      return;
    }
    const bullet = BULLET.exec(line);
    if (bullet) {
      out.push(bullet[1], h('span', { class: 'md-bullet' }, '•'), ' ', ...inline(bullet[2]));
      return;
    }
    out.push(...inline(line));
  });
  return out.filter((x) => x !== '');
}
