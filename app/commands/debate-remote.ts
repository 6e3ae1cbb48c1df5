import type { DebateDetailView } from '../../engine/api.ts';
import { pauseReasonText } from '../../engine/debate/labels.ts';
import type { ArenaEvent } from '../../engine/events.ts';
import type { Lang, Persona } from '../../personas/types.ts';
import { RuntimeFailure } from '../errors.ts';
import { createTerminalRenderer, formatResult, type Output, type Style } from './debate-render.ts';
import type { ArenaServer } from './server-client.ts';

/** A running `arena start` that holds the database: `arena debate` runs the debate there. */
export interface RemoteArena {
  server: ArenaServer;
  /** The catalog the server loaded too (same PERSONAS_DIR), for names and colours. */
  personas: readonly Persona[];
  close(): Promise<void>;
}

export interface RemoteRun {
  idea: string;
  rounds?: number | undefined;
  lang: Lang;
  json?: boolean | undefined;
  out: Output;
  style: Style;
}

/**
 * Starts the debate through the server's API, so it is kept and shows in the dashboard like any
 * other, and streams it here from the server's event stream until it completes or pauses.
 */
export async function runRemoteDebate(remote: RemoteArena, o: RemoteRun): Promise<void> {
  const { server } = remote;
  const render = o.json
    ? (e: ArenaEvent) => o.out.write(`${JSON.stringify(e)}\n`)
    : createTerminalRenderer({ out: o.out, style: o.style, personas: remote.personas, lang: o.lang });
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  o.out.onClose?.(interrupt);
  const stream = server.events(stop.signal);
  try {
    // The stream is open before the debate exists, so none of its events can be missed.
    const first = await stream.next();
    if (first.done) throw new RuntimeFailure(`the running arena at ${server.url} closed its event stream`);
    const started = server.post<{ debateId: string }>('/api/debates', {
      idea: o.idea,
      lang: o.lang,
      ...(o.rounds ? { rounds: o.rounds } : {}),
      startedBy: 'cli',
    });
    // Events before the id is known (debate.created) wait here.
    let debateId: string | undefined;
    const early: ArenaEvent[] = [];
    let end: 'completed' | 'paused' | 'resync' | null = null;
    const take = (e: ArenaEvent) => {
      if (!('debateId' in e) || e.debateId !== debateId) return;
      render(e);
      if (e.type === 'debate.completed') end = 'completed';
      else if (e.type === 'debate.paused') end = 'paused';
    };
    // The server asks its model provider before it creates anything: a refusal is the one line said.
    void started.then(
      (s) => {
        process.stderr.write(
          `(the running arena at ${server.url} holds the database: the debate runs there and shows in its dashboard)\n`,
        );
        debateId = s.debateId;
        for (const e of early.splice(0)) take(e);
      },
      () => stop.abort(),
    );
    let ended: 'completed' | 'paused' | 'resync' | null = null;
    for await (const frame of { [Symbol.asyncIterator]: () => stream }) {
      if (frame.name === 'resync') {
        // The server restarted or we fell too far behind: what happened is read from the debate.
        if (debateId) ended = 'resync';
      } else if (frame.name === null || frame.name === 'delta') {
        const e = frame.data as ArenaEvent;
        if (debateId === undefined) early.push(e);
        else take(e);
        ended = end;
      }
      if (ended === 'resync') {
        const d = await server.find<{ debate: DebateDetailView }>(`/api/debates/${debateId}`);
        ended = d && d.debate.status !== 'active' ? 'completed' : null;
      }
      if (ended) break;
    }
    // The start itself was refused (bad idea, busy): that is the answer.
    const { debateId: id } = await started;
    if (!ended) {
      process.stderr.write(
        `(stopped watching; debate ${id} goes on in the running arena: ${server.url}/debates/${id})\n`,
      );
      return;
    }
    const detail = (await server.find<{ debate: DebateDetailView }>(`/api/debates/${id}`))?.debate;
    if (!o.json && detail) o.out.write(`\n${formatResult(detail, o.style, o.lang)}`);
    if (detail && detail.status !== 'completed') {
      const why = detail.pauseReason
        ? `${detail.status}: ${pauseReasonText(detail.pauseReason, 'en')}`
        : detail.status;
      throw new RuntimeFailure(
        `debate ${id} did not finish (${why}); it is kept in the running arena: resume or stop it from its dashboard (${server.url}/debates/${id})`,
      );
    }
  } finally {
    process.off('SIGINT', interrupt);
    stop.abort();
    await stream.return(undefined).catch(() => {});
  }
}
