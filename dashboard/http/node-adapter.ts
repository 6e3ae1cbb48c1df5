import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { RequestInfo } from '../types.ts';

type FetchHandler = (request: Request, info: RequestInfo) => Promise<Response>;

/** Bridges node:http to a fetch-style handler, streaming both bodies and cancelling on disconnect. */
export function toNodeListener(handle: FetchHandler, baseUrl: () => string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const controller = new AbortController();
    // 'close' on the response fires when the client goes away or the response ends.
    res.on('close', () => controller.abort());
    const method = req.method ?? 'GET';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      else headers.set(name, value);
    }
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const request = new Request(new URL(req.url ?? '/', baseUrl()), {
      method,
      headers,
      signal: controller.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    let response: Response;
    try {
      response = await handle(request, { remoteAddress: req.socket.remoteAddress });
    } catch {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"code":"internal","message":"Internal error"}}');
      return;
    }
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    res.writeHead(response.status, outHeaders);
    if (!response.body || method === 'HEAD') {
      res.end();
      return;
    }
    const reader = response.body.getReader();
    controller.signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!res.write(value))
          await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
        if (res.destroyed) break;
      }
      res.end();
    } catch {
      res.destroy();
    }
    // An unread request body (a refused upload) is drained so the socket can be reused or closed.
    if (hasBody && !req.readableEnded) req.resume();
  };
}
