import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local feed server with one route per case the fetcher must handle. Nothing here reaches the
// internet; item dates are fixed so tests with a fixed clock are deterministic.

export const RSS2 = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Dev News</title><link>https://dev.example.com/</link>
<item><title>Ollama adds &lt;b&gt;structured&lt;/b&gt; outputs for local LLM apps</title>
<link>https://dev.example.com/posts/ollama-structured?utm_source=rss</link>
<guid isPermaLink="false">dev-1</guid>
<description><![CDATA[<p>The <b>ollama/ollama</b> project on GitHub now constrains local LLM output. <script>alert(1)</script>Great news for developers.</p>]]></description>
<pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate></item>
<item><title>Bitcoin rallies as $BTC ETF inflows surge</title>
<link>/posts/bitcoin-etf</link><guid>dev-2</guid>
<description>Crypto markets climbed; $BTC and $ETH gained.</description>
<pubDate>Wed, 25 Nov 2026 08:00:00 GMT</pubDate></item>
<item><title>Startup layoffs hit developer tools companies</title>
<link>https://dev.example.com/posts/layoffs</link><guid>dev-3</guid>
<description>A terrible quarter: layoffs and failures across developer tools.</description>
<pubDate>Tue, 24 Nov 2026 12:00:00 GMT</pubDate></item>
</channel></rss>`;

export const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://research.example.org/"><title>Research</title><link>https://research.example.org/</link><description>papers</description></channel>
<item rdf:about="https://research.example.org/p/1"><title>Small language models beat larger ones on agent benchmarks</title>
<link>https://research.example.org/p/1</link><description>Local LLM agents with tool use.</description><dc:date>2026-11-25T06:00:00Z</dc:date></item>
<item rdf:about="https://research.example.org/p/2"><title>Retrieval for Korean legal documents</title>
<link>https://research.example.org/p/2</link><description>A benchmark.</description><dc:date>2026-11-25T05:00:00Z</dc:date></item>
</rdf:RDF>`;

export const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ollama releases</title><id>tag:github.com,2008:ollama</id>
<updated>2026-11-25T11:00:00Z</updated>
<entry><id>tag:github.com,2008:Repository/1/v0.9.0</id><title>v0.9.0</title>
<link rel="alternate" href="https://github.com/ollama/ollama/releases/tag/v0.9.0"/>
<updated>2026-11-25T11:00:00Z</updated><content type="html">&lt;p&gt;Structured outputs and faster local LLM loading.&lt;/p&gt;</content></entry>
<entry><id>tag:github.com,2008:dup</id><title>Ollama adds structured outputs (mirror)</title>
<link rel="alternate" href="https://www.dev.example.com/posts/ollama-structured#comments"/>
<updated>2026-11-25T10:30:00Z</updated><content type="html">same story</content></entry>
</feed>`;

export const EMPTY = `<?xml version="1.0"?><rss version="2.0"><channel><title>Nothing</title><link>https://e.example/</link><description>x</description></channel></rss>`;
export const MALFORMED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken<item><title>oops</channel>`;
const EUC_KR = readFileSync(new URL('./fixtures/euc-kr.xml', import.meta.url));

export interface FeedServer {
  url: string;
  /** Requests per path, and the conditional headers each carried. */
  requests: Array<{ path: string; ifNoneMatch?: string | undefined; ifModifiedSince?: string | undefined }>;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const requests: FeedServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push({
      path,
      ifNoneMatch: req.headers['if-none-match'],
      ifModifiedSince: req.headers['if-modified-since'],
    });
    const xml = (body: string | Buffer, type = 'application/rss+xml; charset=utf-8') => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    switch (path) {
      case '/rss2':
        return xml(RSS2);
      case '/rdf':
        return xml(RDF, 'application/rdf+xml');
      case '/atom':
        return xml(ATOM, 'application/atom+xml');
      case '/euc-kr':
        return xml(EUC_KR, 'application/xml'); // the encoding is only in the XML declaration
      case '/empty':
        return xml(EMPTY);
      case '/malformed':
        return xml(MALFORMED);
      case '/huge': {
        // 20 MB of feed, streamed without Content-Length; the client must stop reading early.
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        let sent = 0;
        const pump = () => {
          while (sent < 20 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => {
          sent = Number.POSITIVE_INFINITY;
        });
        return pump();
      }
      case '/slow':
        // Never answers: only the client's timeout ends it, however long that timeout is.
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        return res.end();
      case '/moved':
        res.writeHead(301, { location: '/rdf' });
        return res.end();
      case '/500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end('boom');
      case '/conditional':
        if (req.headers['if-none-match'] === '"v1"') {
          res.writeHead(304, { etag: '"v1"' });
          return res.end();
        }
        res.writeHead(200, {
          'content-type': 'application/rss+xml',
          etag: '"v1"',
          'last-modified': 'Wed, 25 Nov 2026 11:00:00 GMT',
        });
        return res.end(RDF.replaceAll('research.example.org/p/', 'research.example.org/c/'));
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
