/**
 * Ollama's HTTP protocol in front of a simulated GPU, for the real ollama-js client:
 * `GET /api/tags` (installed models with sizes), `POST /api/show` (parameter size), `GET /api/ps`
 * (loaded models, size_vram, expires_at), `POST /api/chat` (NDJSON stream, its first token when
 * generation starts; the call waits for a slot and a load on the GPU, honours `keep_alive`, and reports `load_duration`), `GET /api/version`.
 * Optional delays make requests arrive late or `/api/ps` answer slowly, as on a loaded machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createSimulatedGpu,
  keepAliveMs,
  type SimulatedGpu,
  type SimulatedGpuOptions,
} from './simulated-gpu.ts';

export interface SimulatedChatBody {
  model: string;
  messages: Array<{ role: string; content: string }>;
  format?: unknown;
  keep_alive?: unknown;
  stream?: boolean;
}

export interface SimulatedOllamaOptions extends SimulatedGpuOptions {
  /** The reply text of one call; default: a short sentence (or `{}` when JSON is asked for). */
  responder?: (body: SimulatedChatBody) => string;
  /**
   * Delays a loaded machine adds, for tests of the router's ordering under them: `chat` holds a chat
   * request before it reaches the GPU (it arrives late, after requests sent after it), `ps` holds
   * `/api/ps` before it reads the GPU (a slow answer). Default none.
   */
  delays?: {
    chat?: (body: SimulatedChatBody, gpu: SimulatedGpu) => Promise<void> | void;
    ps?: () => Promise<void> | void;
  };
}

export interface SimulatedOllama {
  url: string;
  gpu: SimulatedGpu;
  /** keep_alive of every chat request, in order (undefined when none was sent). */
  keepAlives: Array<{ model: string; keepAlive: unknown }>;
  close(): Promise<void>;
}

export async function startSimulatedOllama(opts: SimulatedOllamaOptions): Promise<SimulatedOllama> {
  const gpu = createSimulatedGpu(opts);
  const keepAlives: SimulatedOllama['keepAlives'] = [];
  const responder =
    opts.responder ??
    ((body: SimulatedChatBody) => (body.format ? '{"score": 7}' : `A reply from ${body.model}.`));

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req);
    if (req.method === 'GET' && path === '/api/version') return send(res, 200, { version: '0.12.0' });
    if (req.method === 'GET' && path === '/api/tags') {
      return send(res, 200, { models: gpu.installed().map((name) => tag(gpu, name)) });
    }
    if (req.method === 'GET' && path === '/api/ps') {
      await opts.delays?.ps?.();
      const models = gpu.loaded().map((m) => ({
        ...tag(gpu, m.name),
        size_vram: Math.round(m.sizeBytes),
        expires_at: new Date(Date.now() + Math.min(m.expiresAt - performance.now(), 8.64e12)).toISOString(),
      }));
      return send(res, 200, { models });
    }
    const body = raw ? (JSON.parse(raw) as SimulatedChatBody & { name?: string }) : undefined;
    if (req.method === 'POST' && path === '/api/show' && body) {
      const name = body.model ?? body.name ?? '';
      const params = gpu.paramsOf(name);
      if (params === undefined) return send(res, 404, { error: `model '${name}' not found` });
      return send(res, 200, {
        details: { parameter_size: `${params}B`, quantization_level: 'Q4_K_M', format: 'gguf' },
        model_info: { 'general.parameter_count': Math.round(params * 1e9) },
      });
    }
    if (req.method === 'POST' && path === '/api/chat' && body) return chat(body, res);
    send(res, 404, { error: 'not found' });
  }

  async function chat(body: SimulatedChatBody, res: ServerResponse) {
    if (gpu.sizeOf(body.model) === undefined) {
      return send(res, 404, { error: `model "${body.model}" not found, try pulling it first` });
    }
    await opts.delays?.chat?.(body, gpu);
    keepAlives.push({ model: body.model, keepAlive: body.keep_alive });
    const loadsBefore = gpu.stats().loadMs;
    const text = responder(body);
    // Streamed like Ollama: the first token as soon as the model is loaded and generating, the rest
    // (and the final line) when generation ends.
    const firstLength = Math.min(text.length, Math.max(1, text.indexOf(' ') + 1));
    const created = new Date().toISOString();
    const chunk = (content: string) =>
      `${JSON.stringify({ model: body.model, created_at: created, done: false, message: { role: 'assistant', content } })}\n`;
    const stream = body.stream !== false;
    await gpu.run(
      body.model,
      keepAliveMs(body.keep_alive),
      () => text,
      () => {
        if (!stream) return;
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(chunk(text.slice(0, firstLength)));
      },
    );
    const final = {
      model: body.model,
      created_at: created,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      load_duration: Math.round(Math.max(0, gpu.stats().loadMs - loadsBefore) * 1e6),
      prompt_eval_count: Math.ceil(JSON.stringify(body.messages).length / 4),
      eval_count: Math.ceil(text.length / 4),
    };
    if (!stream) return send(res, 200, { ...final, message: { role: 'assistant', content: text } });
    const rest = text.slice(firstLength);
    if (rest) res.write(chunk(rest));
    res.end(`${JSON.stringify(final)}\n`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gpu,
    keepAlives,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function tag(gpu: SimulatedGpu, name: string) {
  const params = gpu.paramsOf(name) ?? 0;
  return {
    name,
    model: name,
    size: Math.round(gpu.sizeOf(name) ?? 0),
    digest: `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`,
    modified_at: '2026-11-01T00:00:00Z',
    details: { parameter_size: `${params}B`, quantization_level: 'Q4_K_M', format: 'gguf' },
  };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => {
      data += c.toString();
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
