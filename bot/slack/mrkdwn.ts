// Slack's mrkdwn: text we did not write must not become mentions, broadcasts or links, and the
// neutral layer's few markers (`**bold**`) become Slack's own.

// A person reference the neutral layer asked for, kept apart from text until rendering. Private-use
// code points cannot be typed by accident; text arriving with them has them removed.
const OPEN = '\u{F0001}';
const CLOSE = '\u{F0002}';
const MARKER = /[\u{F0001}\u{F0002}]/gu;

/** A user reference (`<@U…>`) that survives escaping; only `renderMrkdwn(..., trusted)` restores it. */
export function userToken(userId: string): string {
  return `${OPEN}user:${userId.replace(/[^A-Z0-9]/gi, '')}${CLOSE}`;
}

/** A link (`<url|label>`) that survives escaping, restored in trusted posts only. */
export function linkToken(url: string, label: string): string {
  return `${OPEN}link:${encodeURIComponent(url)}|${encodeURIComponent(label)}${CLOSE}`;
}

/** Escapes the three characters Slack treats as control sequences. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Reverses `escapeMrkdwn`, for comparing read-back posts with what was sent. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Neutral post text → Slack mrkdwn: everything escaped, `**bold**` → `*bold*`, and user tokens made
 * into `<@U…>` only in posts the app itself speaks (`trusted`); persona text never mentions anyone.
 */
export function renderMrkdwn(text: string, trusted: boolean): string {
  let out = escapeMrkdwn(text).replace(/\*\*(.+?)\*\*/gs, '*$1*');
  if (trusted) {
    out = out
      .replace(new RegExp(`${OPEN}user:([A-Z0-9]+)${CLOSE}`, 'gu'), '<@$1>')
      .replace(
        new RegExp(`${OPEN}link:([^|${CLOSE}]*)\\|([^${CLOSE}]*)${CLOSE}`, 'gu'),
        (_m, url: string, label: string) =>
          `<${safeDecode(url).replace(/[<>|]/g, '')}|${escapeMrkdwn(safeDecode(label)).replace(/\|/g, '')}>`,
      );
  }
  return out.replace(MARKER, '');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}
