/**
 * Turns a feed's bytes into text using the encoding it declares: the Content-Type charset first,
 * then a byte-order mark, then the XML declaration (`<?xml … encoding="EUC-KR"?>`), else UTF-8.
 * Node's TextDecoder (full ICU) knows EUC-KR, Shift_JIS, GB18030, windows-125x and the rest.
 */
export function decodeFeedBody(
  bytes: Uint8Array,
  contentType: string | null,
): { ok: true; text: string; encoding: string } | { ok: false; reason: string } {
  const label = charsetOf(contentType) ?? bomOf(bytes) ?? xmlDeclaredEncoding(bytes) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    return { ok: false, reason: `unsupported encoding "${label.slice(0, 40)}"` };
  }
  // The XML declaration still names the old encoding; the text is Unicode now, and that is all
  // the parser needs (xml2js ignores the declared encoding of a string).
  return { ok: true, text: decoder.decode(bytes), encoding: decoder.encoding };
}

function charsetOf(contentType: string | null): string | undefined {
  const m = contentType?.match(/charset\s*=\s*"?([\w.:-]+)"?/i);
  return m?.[1]?.toLowerCase();
}

function bomOf(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  // The declaration is ASCII in every ASCII-compatible encoding; 200 bytes is more than enough.
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1');
  const m = head.match(/^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)["']/i);
  return m?.[1]?.toLowerCase();
}
