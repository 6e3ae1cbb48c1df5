/**
 * Text from outside (people, feeds, models, files) made safe for terminals, prompts and documents.
 * Pure functions, no dependencies: every edge that prints or stores foreign text uses them.
 */

// Terminal escape sequences are removed whole, so `\e[2J` leaves no `[2J` behind: CSI
// (`ESC [ … final`), OSC/DCS/APC/PM/SOS strings (`ESC ] … BEL` or `ESC ] … ESC \`, to the end of the
// line at most), and two-byte escapes (`ESC c`).
const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|[\x1b][\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?|[\x90\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
// that make text display in another order than it is read ("Trojan Source").
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_AND_BREAKS = /[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n?|[\u2028\u2029\u0085\v\f]/g;

/**
 * Removes terminal escape sequences and control characters; keeps tabs and newlines (`\r\n`, `\r`,
 * and Unicode line separators become `\n`). Idempotent.
 */
export function stripControl(text: string): string {
  return text.replace(LINE_BREAKS, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}

/** One line of text: no controls, every run of whitespace (newlines too) is one space, trimmed. */
export function oneLineSafe(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(LINE_BREAKS, ' ')
    .replace(CONTROL_AND_BREAKS, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export const DISPLAY_NAME_MAX_CHARS = 64;
const NAME_FALLBACK = 'someone';

/** A person's display name as it may be shown or stored: one line, no controls, at most 64 characters. */
export function sanitizeName(name: string, max = DISPLAY_NAME_MAX_CHARS): string {
  const line = oneLineSafe(name);
  const cut = [...line].slice(0, max).join('').trim();
  return cut === '' ? NAME_FALLBACK : cut;
}

/** A display name as a prompt shows it: sanitised and in double quotes, inner quotes made single. */
export function quoteName(name: string): string {
  return `"${sanitizeName(name).replace(/["“”]/g, "'")}"`;
}

/** Text quoted line by line with `> `, so nothing in it can start a line of the surrounding prompt. */
export function quoteLines(text: string): string {
  return stripControl(text)
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}

const HTML_SPECIAL: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes the characters HTML gives meaning to (`& < > " '`). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_SPECIAL[c]!);
}
