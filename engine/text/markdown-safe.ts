import { stripControl } from './sanitize.ts';

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Foreign Markdown (a model's answer, a person's message, a title) made safe to embed in a document
 * that may be rendered as HTML: control characters go, and `<` becomes `&lt;` outside code, so no
 * raw tag (`<script>`, `<img onerror>`, `<a id>` spoofing an anchor) survives. Code blocks and inline
 * code keep their text, since Markdown never reads HTML there.
 */
export function safeMarkdown(markdown: string): string {
  const lines = stripControl(markdown).split('\n');
  let fence: string | null = null;
  return lines
    .map((line) => {
      const m = FENCE.exec(line);
      if (fence !== null) {
        if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length) fence = null;
        return line;
      }
      if (m) {
        fence = m[1]!;
        return line;
      }
      return escapeOutsideCodeSpans(line);
    })
    .join('\n');
}

/** One line of foreign text for a Markdown heading, link label or table cell. */
export function safeMarkdownInline(text: string): string {
  return escapeOutsideCodeSpans(stripControl(text).replace(/\s*\n\s*/g, ' '));
}

// A code span: a backtick run not next to another backtick, up to the same run (CommonMark 6.1).
const CODE_SPAN = /(?<!`)(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;

function escapeOutsideCodeSpans(line: string): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(CODE_SPAN)) {
    out += line.slice(last, m.index).replace(/</g, '&lt;') + m[0];
    last = m.index + m[0].length;
  }
  return out + line.slice(last).replace(/</g, '&lt;');
}
