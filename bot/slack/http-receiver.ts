import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import type { Logger } from '../../engine/log.ts';

// Slack gives up on a request after 3 s; an unanswered one is answered just after, like Bolt does.
const ACK_TIMEOUT_MS = 3_001;

export interface SlackHttpReceiverProps {
  signingSecret: string;
  log: Logger;
  now?: () => number;
}

/**
 * Bolt's receiver for the dashboard's own HTTP server: `handle(request)` takes a fetch Request for
 * `/slack/events` (commands, events and interactivity alike), checks Slack's signature, answers
 * `url_verification`, and hands everything else to Bolt, replying with whatever the listener acks.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | null = null;

  constructor(private readonly props: SlackHttpReceiverProps) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.app = null;
  }

  async handle(request: Request): Promise<Response> {
    const raw = await request.text();
    const timestamp = Number(request.headers.get('x-slack-request-timestamp'));
    const signature = request.headers.get('x-slack-signature') ?? '';
    // Bolt is imported on first use: app/platforms.ts builds this receiver, and a process without
    // Slack configured must never load Bolt (it is a large share of an idle arena's memory).
    const { isValidSlackRequest } = await import('@slack/bolt');
    const valid =
      Number.isFinite(timestamp) &&
      isValidSlackRequest({
        signingSecret: this.props.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        nowMilliseconds: (this.props.now ?? Date.now)(),
      });
    if (!valid) return text(401, 'invalid signature');

    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, request.headers.get('content-type') ?? '');
    } catch {
      return text(400, 'malformed body');
    }
    if (body.ssl_check) return text(200, '');
    if (body.type === 'url_verification') {
      return Response.json({ challenge: typeof body.challenge === 'string' ? body.challenge : '' });
    }
    const app = this.app;
    if (!app) return text(503, 'starting');

    let settle!: (response: Response) => void;
    const answered = new Promise<Response>((resolve) => {
      settle = resolve;
    });
    let acked = false;
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) return;
        acked = true;
        if (response === undefined || response === null || response === '') settle(text(200, ''));
        else if (typeof response === 'string') settle(text(200, response));
        else settle(Response.json(response));
      },
      ...retryFields(request.headers),
    };
    const timer = setTimeout(() => {
      if (acked) return;
      this.props.log.warn('a Slack request was not acknowledged in time');
      settle(text(404, ''));
    }, ACK_TIMEOUT_MS);
    app
      .processEvent(event)
      .catch((error: unknown) => {
        this.props.log.error('slack listener failed', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!acked) settle(text(500, ''));
      })
      .finally(() => clearTimeout(timer));
    const response = await answered;
    clearTimeout(timer);
    return response;
  }
}

function parseBody(raw: string, type: string): Record<string, unknown> {
  if (/^application\/json\b/i.test(type)) return JSON.parse(raw) as Record<string, unknown>;
  const form = Object.fromEntries(new URLSearchParams(raw));
  // Interactivity (buttons) arrives as one form field holding JSON.
  if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
  return form;
}

function retryFields(headers: Headers): { retryNum?: number; retryReason?: string } {
  const num = headers.get('x-slack-retry-num');
  const reason = headers.get('x-slack-retry-reason');
  return {
    ...(num !== null ? { retryNum: Number(num) } : {}),
    ...(reason !== null ? { retryReason: reason } : {}),
  };
}

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
