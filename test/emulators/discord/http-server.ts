import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { apiError, ErrorCode, invalidFormBody, type Reply } from './discord-errors.ts';
import { coercePermissionStrings } from './permissions.ts';
import type { Records } from './records.ts';
import type { AsyncSpecValidator } from './spec-client.ts';
import type { FaultSpec, RecordedRequest, StoredFile } from './types.ts';

/** What a route handler gets: the parsed request. */
export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: StoredFile[];
  /** When the request arrived (deadlines count from here, not from when validation finished). */
  receivedAt: number;
}

/** One REST endpoint of the emulator. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** Path below `/api/v10` with `:name` parameters. */
  pattern: string;
  /** The OpenAPI path whose schemas validate this route's body and response. */
  spec?: string;
  auth: 'bot' | 'none';
  /** Extra guard, e.g. "this webhook id is the application's" for interaction webhooks. */
  when?: (params: Record<string, string>) => boolean;
  handle(ctx: RouteContext): Reply | Promise<Reply>;
}

interface Compiled extends Route {
  regex: RegExp;
  names: string[];
}

const API_PREFIX = '/api/v10';

/** The REST side: parses, records, injects faults, authenticates, validates and routes requests. */
export interface HttpFrontend {
  server: Server;
  failNext(fault: FaultSpec): void;
  /** Resolves once every response validation started so far has finished. */
  settle(): Promise<void>;
}

export function createHttpFrontend(props: {
  routes: Route[];
  records: Records;
  validator: AsyncSpecValidator;
  token: string;
  validateResponses: boolean;
  now: () => number;
  /** Serves non-API paths (attachment downloads); undefined means 404. */
  serveStatic: (path: string) => Reply | undefined;
}): HttpFrontend {
  const { records, validator } = props;
  const routes: Compiled[] = props.routes.map((r) => {
    const names: string[] = [];
    const source = r.pattern
      .split('/')
      .map((seg) => {
        if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(seg.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { ...r, regex: new RegExp(`^${source}$`), names };
  });
  const faults: (FaultSpec & { left: number; regex: RegExp })[] = [];
  const inFlight = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const raw = await readBody(req);
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      return write(res, props.serveStatic(url.pathname) ?? apiError(404, 0, '404: Not Found'));
    }
    // discord.js encodes segments such as `@original` (%40original); routes match decoded paths.
    const path = url.pathname.slice(API_PREFIX.length).split('/').map(safeDecode).join('/');
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (k !== 'authorization' && typeof v === 'string') headers[k] = v;
    }
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      headers,
      time: props.now(),
      status: 0,
    };
    records.requests.push(record);
    const reply = await answer(req, record, url.searchParams, raw);
    record.status = reply.status;
    write(res, reply);
    records.changed();
  };

  const answer = async (
    req: IncomingMessage,
    record: RecordedRequest,
    query: URLSearchParams,
    raw: Buffer,
  ): Promise<Reply> => {
    const { method, path } = record;
    const parsed = await parseBody(req.headers['content-type'], raw);
    if ('error' in parsed) return apiError(400, 50109, parsed.error);
    record.body = parsed.body;
    record.files = parsed.files;

    const fault = faults.find(
      (f) => f.left > 0 && (!f.method || f.method.toUpperCase() === method) && f.regex.test(path),
    );
    if (fault) {
      fault.left -= 1;
      return {
        status: fault.status,
        body: fault.body ?? defaultFaultBody(fault.status),
        headers: fault.headers,
      };
    }

    let pathMatched = false;
    for (const route of routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      const params = Object.fromEntries(route.names.map((n, i) => [n, m[i + 1] ?? '']));
      if (route.when && !route.when(params)) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      if (route.auth === 'bot' && req.headers.authorization !== `Bot ${props.token}`) {
        records.violation({ kind: 'auth', method, path, message: 'missing or wrong bot token' });
        return apiError(401, 0, '401: Unauthorized');
      }
      if (route.spec && parsed.body !== undefined) {
        const issues = await validator.request(route.spec, method, coercePermissionStrings(parsed.body));
        if (issues.length > 0) {
          records.violation({
            kind: 'request-spec',
            method,
            path,
            message: 'body does not match the spec',
            details: issues,
          });
          return invalidFormBody(issues);
        }
      }
      let reply: Reply;
      try {
        reply = await route.handle({
          method,
          path,
          params,
          query,
          body: parsed.body,
          files: parsed.files,
          receivedAt: record.time,
        });
      } catch (err) {
        records.violation({
          kind: 'rule',
          method,
          path,
          message: `emulator error: ${(err as Error).message}`,
        });
        return apiError(500, 0, '500: Internal Server Error');
      }
      if (props.validateResponses && route.spec && reply.body !== undefined && reply.status < 300) {
        // Checked after answering: a slow first compile must not delay the client.
        track(
          validator.response(route.spec, method, reply.status, reply.body).then((issues) => {
            if (issues.length === 0) return;
            records.violation({
              kind: 'response-spec',
              method,
              path,
              message: 'emulator response off-spec',
              details: issues,
            });
          }),
        );
      }
      return reply;
    }
    if (pathMatched) return apiError(405, 0, '405: Method Not Allowed');
    records.violation({ kind: 'unknown-route', method, path, message: 'route not emulated' });
    return apiError(404, 0, '404: Not Found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) write(res, apiError(500, 0, '500: Internal Server Error'));
    });
  });

  return {
    server,
    async settle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    failNext(fault) {
      const regex =
        typeof fault.pathPattern === 'string'
          ? new RegExp(`^${fault.pathPattern.split('*').map(escapeRegExp).join('.*')}$`)
          : fault.pathPattern;
      faults.push({ ...fault, regex, left: fault.count ?? 1 });
    },
  };
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function defaultFaultBody(status: number): unknown {
  if (status === 429) return { message: 'You are being rate limited.', retry_after: 0.05, global: false };
  return { message: `${status}: Injected fault`, code: ErrorCode.General };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function parseBody(
  contentType: string | undefined,
  raw: Buffer,
): Promise<{ body: unknown; files: StoredFile[] } | { error: string }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (contentType?.startsWith('multipart/form-data')) {
    // Node's fetch implementation parses multipart bodies for us.
    const form = await new Request('http://localhost/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    let body: unknown;
    const files: StoredFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') {
          try {
            body = JSON.parse(value);
          } catch {
            return { error: 'The request body contains invalid JSON.' };
          }
        }
        continue;
      }
      files.push({
        field,
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    return { error: 'The request body contains invalid JSON.' };
  }
}

function write(res: ServerResponse, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
  if (reply.raw) {
    res.writeHead(reply.status, { 'content-type': reply.raw.contentType });
    res.end(reply.raw.data);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status);
    res.end();
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.body));
}
