// DOM building without innerHTML: every piece of data becomes a text node.

/** Creates an element; `attrs` keys: class, data (object), on<event>, style vars (--x), other attributes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'data') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k.startsWith('--')) el.style.setProperty(k, String(v));
      else if (k === 'href') el.setAttribute('href', safeHref(v));
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * Makes the rows of `list` those of `rows` (each with a `data-key`), changing only what differs: a
 * row with the same key keeps its element (hover, focus and selection stay), its changed text and
 * attributes set in place. Rows must not carry listeners bound to their data (delegate instead).
 */
export function patchList(list, rows) {
  const old = new Map([...list.children].map((c) => [c.dataset.key, c]));
  const next = rows.map((row) => {
    const prev = old.get(row.dataset.key);
    if (!prev || prev.tagName !== row.tagName) return row;
    old.delete(row.dataset.key);
    morph(prev, row);
    return prev;
  });
  for (const gone of old.values()) gone.remove();
  next.forEach((node, i) => {
    if (list.children[i] !== node) list.insertBefore(node, list.children[i] ?? null);
  });
  return list;
}

/** Turns `from` into a copy of `to` in place: attributes, then children (text set, elements morphed). */
function morph(from, to) {
  if (from.isEqualNode(to)) return;
  for (const a of [...from.attributes]) if (!to.hasAttribute(a.name)) from.removeAttribute(a.name);
  for (const a of to.attributes)
    if (from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  const have = [...from.childNodes];
  const want = [...to.childNodes];
  want.forEach((n, i) => {
    const o = have[i];
    if (!o) from.append(n);
    else if (o.nodeName !== n.nodeName) o.replaceWith(n);
    else if (n.nodeType === Node.ELEMENT_NODE) morph(o, n);
    else if (o.nodeValue !== n.nodeValue) o.nodeValue = n.nodeValue;
  });
  for (const o of have.slice(want.length)) o.remove();
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** Only same-site paths and http(s) links become hrefs. */
export function safeHref(v) {
  const s = String(v);
  if (s.startsWith('/') && !s.startsWith('//')) return s;
  if (s.startsWith('#')) return s;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '#';
  } catch {
    return '#';
  }
}

/** A persona colour if it is a plain #rrggbb, else the accent. */
export function safeColor(c) {
  return typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c) ? c : '#00ff88';
}

export function fmtBytes(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)}GB`;
  return `${Math.round(n / 1024 ** 2)}MB`;
}

export function fmtUsd(n, digits) {
  if (!Number.isFinite(n)) return '–';
  const d = digits ?? (n !== 0 && Math.abs(n) < 1 ? 3 : 2);
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })}`;
}

export function fmtLimit(n) {
  return `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

export function fmtNum(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

export function fmtClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return d.toTimeString().slice(0, 8);
}

export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function fmtDuration(sec) {
  if (sec < 3600) return `${Math.floor(sec / 60)}m`;
  if (sec < 86400) return `${Math.floor(sec / 3600)}h ${Math.floor((sec % 3600) / 60)}m`;
  return `${Math.floor(sec / 86400)}d ${Math.floor((sec % 86400) / 3600)}h`;
}

export function pct(part, whole) {
  if (!whole || whole <= 0) return 0;
  return Math.min(100, Math.max(0, (part / whole) * 100));
}
