/**
 * An Ollama-protocol HTTP server for tests, following Ollama's REST API closely enough for the
 * real ollama-js client:
 *
 * - `GET /api/tags` lists `models` (mutable: push/splice to install or remove one).
 * - `POST /api/chat` answers with the reply of `responder(request)`: streamed as NDJSON chunks
 *   (`{model, created_at, message:{role:'assistant',content}, done:false}` … then a final
 *   `{…, done:true, done_reason:'stop', prompt_eval_count, eval_count, total_duration, …}`), or as one
 *   JSON object when `stream: false`. A model not in `models` gets Ollama's 404
 *   `{"error":"model \"x\" not found, try pulling it first"}`.
 * - `GET /api/version`, and 404 for anything else.
 *
 * Failures are injected with `failNext(n, failure)`: an HTTP status (500 by default), `'destroy'`
 * (the socket is cut before any answer), `{ afterChunks: k }` (k chunks, then the socket is cut), or
 * `{ errorAfterChunks: k }` (k chunks, then an `{"error": …}` line and the end of a 200 stream, which
 * is how Ollama reports a failure once streaming has begun), or `{ stallMs: t }` (a 200 stream that
 * says nothing for t ms before its chunks: a model that hangs, for the client's silence timeout).
 * `setChunkDelay(ms)` waits before every chunk. Every request is kept in `requests`, with `outcome`
 * telling whether the server finished it, failed it, or saw the client close the connection first.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OllamaChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  format?: unknown;
  options?: { temperature?: number; num_predict?: number; [k: string]: unknown };
  keep_alive?: unknown;
  [k: string]: unknown;
}

export interface OllamaReply {
  text: string;
  /** Reported as prompt_eval_count; default: characters of all messages / 4, rounded up, plus 7. */
  promptTokens?: number;
  /** Reported as eval_count; default: number of chunks + 3. */
  completionTokens?: number;
  /** How the text is streamed; default: split after every whitespace run. */
  chunks?: string[];
}

/** Decides the reply to one chat request (the test's model). */
export type OllamaResponder = (req: OllamaChatBody) => string | OllamaReply | Promise<string | OllamaReply>;

type StreamFailure = { afterChunks: number } | { errorAfterChunks: number };
export type InjectedFailure = number | 'destroy' | StreamFailure | { stallMs: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (POST), else null. */
  body: OllamaChatBody | null;
  /** 'completed': answered in full; 'failed': injected failure or error status; 'aborted': the client hung up first. */
  outcome: 'pending' | 'completed' | 'failed' | 'aborted';
  /** Resolves with the final outcome. */
  settled: Promise<RecordedRequest['outcome']>;
}

export interface OllamaServerOptions {
  /** Installed model names as /api/tags lists them; default ['qwen2.5:3b']. */
  models?: string[];
  responder?: OllamaResponder;
  /** Delay before each streamed chunk, in ms; default 0. */
  chunkDelayMs?: number;
  /** Listen on this port (an Ollama started again where it was); default: any free port. */
  port?: number;
}

export interface FakeOllamaServer {
  /** Base URL, e.g. http://127.0.0.1:54321 (use as OLLAMA_HOST). */
  url: string;
  requests: RecordedRequest[];
  /** Chat requests only. */
  chatRequests(): RecordedRequest[];
  models: string[];
  setResponder(fn: OllamaResponder): void;
  setChunkDelay(ms: number): void;
  /** The next `n` requests (any path) fail with `failure` (default: HTTP 500). */
  failNext(n: number, failure?: InjectedFailure): void;
  close(): Promise<void>;
}

const defaultResponder: OllamaResponder = (req) => {
  if (req.format !== undefined) return JSON.stringify({ ok: true, model: req.model });
  const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  return `Reply from ${req.model} to: ${last.slice(0, 60)}`;
};

export async function startOllamaServer(opts: OllamaServerOptions = {}): Promise<FakeOllamaServer> {
  const models = opts.models ? [...opts.models] : ['qwen2.5:3b'];
  let responder = opts.responder ?? defaultResponder;
  let chunkDelayMs = opts.chunkDelayMs ?? 0;
  const failures: InjectedFailure[] = [];
  const requests: RecordedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let settle!: (o: RecordedRequest['outcome']) => void;
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      headers: req.headers,
      body: null,
      outcome: 'pending',
      settled: new Promise((r) => {
        settle = r;
      }),
    };
    const finish = (o: RecordedRequest['outcome']) => {
      if (record.outcome !== 'pending') return;
      record.outcome = o;
      settle(o);
    };
    res.on('close', () => finish(res.writableFinished ? 'completed' : 'aborted'));
    requests.push(record);

    const raw = await readBody(req);
    if (raw) {
      try {
        record.body = JSON.parse(raw) as OllamaChatBody;
      } catch {
        finish('failed');
        return sendJson(res, 400, { error: 'invalid JSON body' });
      }
    }

    const failure = failures.shift();
    if (failure === 'destroy') {
      finish('failed');
      req.socket.destroy();
      return;
    }
    if (typeof failure === 'number') {
      finish('failed');
      return sendJson(res, failure, { error: `injected failure ${failure}` });
    }

    if (record.method === 'GET' && record.path === '/api/tags') {
      finish('completed');
      return sendJson(res, 200, { models: models.map(tagEntry) });
    }
    if (record.method === 'GET' && record.path === '/api/version') {
      finish('completed');
      return sendJson(res, 200, { version: '0.6.0' });
    }
    if (record.method === 'POST' && record.path === '/api/chat' && record.body) {
      if (failure && 'stallMs' in failure) return chat(record.body, res, undefined, finish, failure.stallMs);
      return chat(record.body, res, failure, finish);
    }
    finish('failed');
    sendJson(res, 404, { error: 'not found' });
  }

  async function chat(
    body: OllamaChatBody,
    res: ServerResponse,
    failure: StreamFailure | undefined,
    finish: (o: RecordedRequest['outcome']) => void,
    stallMs = 0,
  ) {
    const model = installedName(models, body.model);
    if (!model) {
      finish('failed');
      return sendJson(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    }
    const reply = normalise(await responder(body), body);
    const createdAt = () => new Date().toISOString();
    const finalFields = {
      done: true,
      done_reason: 'stop',
      total_duration: 1_234_567,
      load_duration: 12_345,
      prompt_eval_count: reply.promptTokens,
      prompt_eval_duration: 23_456,
      eval_count: reply.completionTokens,
      eval_duration: 345_678,
    };
    if (body.stream === false) {
      finish('completed');
      return sendJson(res, 200, {
        model: body.model,
        created_at: createdAt(),
        message: { role: 'assistant', content: reply.text },
        ...finalFields,
      });
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    if (stallMs > 0) await sleep(stallMs);
    const fail = (f: StreamFailure) => {
      finish('failed');
      if ('errorAfterChunks' in f) res.end(`${JSON.stringify({ error: 'injected failure mid-stream' })}\n`);
      else res.socket?.destroy();
    };
    let sent = 0;
    for (const piece of reply.chunks) {
      if (chunkDelayMs > 0) await sleep(chunkDelayMs);
      if (res.destroyed) return;
      if (failure && sent >= cutAt(failure)) return fail(failure);
      // Wait until the chunk is handed to the socket, so an injected cut after it never loses it.
      await write(
        res,
        `${JSON.stringify({ model: body.model, created_at: createdAt(), message: { role: 'assistant', content: piece }, done: false })}\n`,
      );
      sent++;
    }
    if (chunkDelayMs > 0) await sleep(chunkDelayMs);
    if (res.destroyed) return;
    if (failure) return fail(failure);
    res.end(
      `${JSON.stringify({ model: body.model, created_at: createdAt(), message: { role: 'assistant', content: '' }, ...finalFields })}\n`,
    );
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/api/chat'),
    models,
    setResponder: (fn) => {
      responder = fn;
    },
    setChunkDelay: (ms) => {
      chunkDelayMs = ms;
    },
    failNext: (n, failure = 500) => {
      for (let i = 0; i < n; i++) failures.push(failure);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function cutAt(f: StreamFailure): number {
  return 'afterChunks' in f ? f.afterChunks : f.errorAfterChunks;
}

function normalise(reply: string | OllamaReply, body: OllamaChatBody): Required<OllamaReply> {
  const r = typeof reply === 'string' ? { text: reply } : reply;
  const chunks = r.chunks ?? (r.text.match(/\S+\s*|\s+/g) as string[] | null) ?? [r.text];
  const promptChars = body.messages.reduce((n, m) => n + m.content.length, 0);
  return {
    text: r.text,
    chunks,
    promptTokens: r.promptTokens ?? Math.ceil(promptChars / 4) + 7,
    completionTokens: r.completionTokens ?? chunks.length + 3,
  };
}

function installedName(models: readonly string[], model: string): string | undefined {
  const want = model.includes(':') ? model : `${model}:latest`;
  return models.find((m) => m === model || m === want);
}

function tagEntry(name: string) {
  const [family = name] = name.split(':');
  return {
    name,
    model: name,
    modified_at: '2026-11-01T00:00:00Z',
    size: 1_929_912_432,
    digest: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    details: {
      parent_model: '',
      format: 'gguf',
      family,
      families: [family],
      parameter_size: '3.1B',
      quantization_level: 'Q4_K_M',
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      data += c;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) resolve();
    else res.write(data, () => resolve());
  });
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}
