import { decodeFeedBody } from './decode.ts';

export interface FetchLimits {
  /** Whole request, body included. */
  timeoutMs: number;
  /** Largest body read; a bigger feed is refused, not truncated. */
  maxBytes: number;
  maxRedirects: number;
  userAgent: string;
}

export const DEFAULT_FETCH_LIMITS: FetchLimits = {
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'agentic-arena/0.1 (+https://github.com/; feed reader)',
};

/** What a feed server told us last time, sent back so an unchanged feed costs one 304. */
export interface Validators {
  etag?: string | null;
  lastModified?: string | null;
}

export type FeedFetchResult =
  | { kind: 'not_modified' }
  | {
      kind: 'ok';
      text: string;
      encoding: string;
      finalUrl: string;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: 'error'; reason: string };

/** Fetches one feed with a timeout, a size cap, a redirect limit and conditional headers. */
export async function fetchFeed(
  url: string,
  validators: Validators,
  limits: FetchLimits = DEFAULT_FETCH_LIMITS,
  fetchImpl: typeof fetch = fetch,
): Promise<FeedFetchResult> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = {
        'user-agent': limits.userAgent,
        accept:
          'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1',
      };
      // Validators belong to the URL they came from; a redirect target gets a plain request.
      if (hop === 0 && validators.etag) headers['if-none-match'] = validators.etag;
      if (hop === 0 && validators.lastModified) headers['if-modified-since'] = validators.lastModified;
      const res = await fetchImpl(current, { headers, redirect: 'manual', signal });
      if (res.status >= 300 && res.status < 400 && res.status !== 304) {
        await res.body?.cancel();
        const location = res.headers.get('location');
        if (!location) return { kind: 'error', reason: `HTTP ${res.status} without a Location header` };
        if (hop >= limits.maxRedirects)
          return { kind: 'error', reason: `too many redirects (more than ${limits.maxRedirects})` };
        const next = new URL(location, current);
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          return { kind: 'error', reason: `redirect to a non-http URL (${next.protocol})` };
        current = next.toString();
        continue;
      }
      if (res.status === 304) {
        await res.body?.cancel();
        return { kind: 'not_modified' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { kind: 'error', reason: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
      }
      const declared = Number(res.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > limits.maxBytes) {
        await res.body?.cancel();
        return { kind: 'error', reason: tooLarge(limits.maxBytes) };
      }
      const bytes = await readCapped(res, limits.maxBytes);
      if (!bytes) return { kind: 'error', reason: tooLarge(limits.maxBytes) };
      const decoded = decodeFeedBody(bytes, res.headers.get('content-type'));
      if (!decoded.ok) return { kind: 'error', reason: decoded.reason };
      return {
        kind: 'ok',
        text: decoded.text,
        encoding: decoded.encoding,
        finalUrl: current,
        etag: res.headers.get('etag'),
        lastModified: res.headers.get('last-modified'),
      };
    }
  } catch (error) {
    if (signal.aborted) return { kind: 'error', reason: `timed out after ${limits.timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      kind: 'error',
      reason: `request failed: ${cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error))}`,
    };
  }
}

/** Reads the body up to `max` bytes; null when it is longer (the rest is never downloaded). */
async function readCapped(res: Response, max: number): Promise<Uint8Array | null> {
  if (!res.body) return new Uint8Array();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(max: number): string {
  return `feed larger than ${Math.round(max / 1024)} KiB`;
}
