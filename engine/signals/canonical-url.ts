import { createHash } from 'node:crypto';

// Query parameters that only track the click; two links differing in them are the same item.
const TRACKING = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|source|igshid|si)$/i;

/** An absolute http(s) URL for a feed link (relative to the feed's URL), or null. */
export function absoluteUrl(link: string | null, base: string): string | null {
  if (!link) return null;
  try {
    const u = new URL(link, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

/** The URL two feeds would agree on: lower-case host without www, no fragment or tracking, sorted query. */
export function canonicalUrl(url: string): string {
  const u = new URL(url);
  u.hash = '';
  u.hostname = u.hostname.toLowerCase().replace(/^www\./, '');
  if ((u.protocol === 'https:' && u.port === '443') || (u.protocol === 'http:' && u.port === '80'))
    u.port = '';
  const params = [...u.searchParams.entries()].filter(([k]) => !TRACKING.test(k));
  params.sort(([a], [b]) => a.localeCompare(b));
  u.search = new URLSearchParams(params).toString();
  let out = `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname.replace(/\/+$/, '') || '/'}`;
  if (u.search) out += u.search;
  return out; // the scheme is left out: http and https copies of a page are one item
}

/** The unique key of a signal: its canonical URL, else its guid within the feed, else its title there. */
export function dedupKey(parts: {
  url: string | null;
  guid: string | null;
  feedUrl: string;
  title: string;
}): string {
  const basis = parts.url
    ? `url:${canonicalUrl(parts.url)}`
    : parts.guid
      ? `guid:${parts.feedUrl}|${parts.guid}`
      : `title:${parts.feedUrl}|${parts.title.toLowerCase()}`;
  return createHash('sha256').update(basis).digest('hex').slice(0, 64);
}
