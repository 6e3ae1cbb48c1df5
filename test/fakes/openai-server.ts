/**
 * An OpenAI-compatible HTTP server for tests: `POST /v1/chat/completions` streamed as server-sent
 * events (`data: {chat.completion.chunk}` lines, a usage-only chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`) or as one JSON completion, and
 * `GET /v1/models`. With `apiKey` set, a missing or wrong Bearer token gets OpenAI's 401 — whose
 * message echoes the key it received, as the real API partly does, so tests can prove a client
 * never passes it on. Failures are injected like the Ollama fake: `failNext(n, status | 'destroy')`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAiChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  temperature?: number;
  response_format?: { type: string };
  [k: string]: unknown;
}

export interface OpenAiReply {
  text: string;
  promptTokens?: number;
  completionTokens?: number;
  chunks?: string[];
}

export type OpenAiResponder = (req: OpenAiChatBody) => string | OpenAiReply;

export interface OpenAiRecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: OpenAiChatBody | null;
}

export interface FakeOpenAiServer {
  /** Base URL without /v1, e.g. http://127.0.0.1:5555 */
  url: string;
  requests: OpenAiRecordedRequest[];
  /** Remote model ids served; others get 404 model_not_found. */
  models: string[];
  setResponder(fn: OpenAiResponder): void;
  /** The next `n` requests fail; `headers` go with an HTTP failure (e.g. `Retry-After` on a 429). */
  failNext(n: number, failure?: number | 'destroy', headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startOpenAiServer(
  opts: { apiKey?: string; models?: string[]; responder?: OpenAiResponder } = {},
): Promise<FakeOpenAiServer> {
  const models = opts.models ? [...opts.models] : ['gpt-4o-mini'];
  let responder: OpenAiResponder = opts.responder ?? ((req) => `answer from ${req.model}`);
  const failures: Array<{ failure: number | 'destroy'; headers: Record<string, string> }> = [];
  const requests: OpenAiRecordedRequest[] = [];

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const record: OpenAiRecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      headers: req.headers,
      body: raw ? (JSON.parse(raw) as OpenAiChatBody) : null,
    };
    requests.push(record);
    const injected = failures.shift();
    const failure = injected?.failure;
    if (failure === 'destroy') return void req.socket.destroy();
    if (failure !== undefined) {
      for (const [name, value] of Object.entries(injected?.headers ?? {})) res.setHeader(name, value);
      return sendJson(res, failure, {
        error: { message: 'injected failure', type: 'server_error', code: null },
      });
    }
    if (opts.apiKey) {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (given !== opts.apiKey) {
        return sendJson(res, 401, {
          error: {
            message: `Incorrect API key provided: ${given ?? '(none)'}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            code: 'invalid_api_key',
          },
        });
      }
    }
    if (record.method === 'GET' && record.path === '/v1/models') {
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', owned_by: 'test' })),
      });
    }
    if (record.method === 'POST' && record.path === '/v1/chat/completions' && record.body) {
      return completions(record.body, res);
    }
    sendJson(res, 404, { error: { message: 'Unknown request URL', type: 'invalid_request_error' } });
  }

  function completions(body: OpenAiChatBody, res: ServerResponse) {
    if (!models.includes(body.model)) {
      return sendJson(res, 404, {
        error: {
          message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      });
    }
    const r = responder(body);
    const reply = typeof r === 'string' ? { text: r } : r;
    const chunks = reply.chunks ?? reply.text.match(/\S+\s*|\s+/g) ?? [reply.text];
    const usage = {
      prompt_tokens: reply.promptTokens ?? 11,
      completion_tokens: reply.completionTokens ?? chunks.length,
      total_tokens: (reply.promptTokens ?? 11) + (reply.completionTokens ?? chunks.length),
    };
    const base = { id: 'chatcmpl-test', created: 1_764_000_000, model: `${body.model}-2024-07-18` };
    if (!body.stream) {
      return sendJson(res, 200, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, finish_reason: 'stop' }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const withUsage = body.stream_options?.include_usage === true;
    const chunk = (delta: Record<string, string>, finish: string | null) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(withUsage ? { usage: null } : {}),
    });
    event(chunk({ role: 'assistant', content: '' }, null));
    for (const piece of chunks) event(chunk({ content: piece }, null));
    event(chunk({}, 'stop'));
    if (withUsage) event({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    res.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    models,
    setResponder: (fn) => {
      responder = fn;
    },
    failNext: (n, failure = 500, headers = {}) => {
      for (let i = 0; i < n; i++) failures.push({ failure, headers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
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
