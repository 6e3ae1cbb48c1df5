import type { CacheCounts, CacheGroup } from '../engine/cache/types.ts';
import type { RunnerLoad } from '../engine/debate/run/runner.ts';
import type { ArenaEvent, BudgetSnapshot, EventBus } from '../engine/events.ts';
import type { RouterSnapshot } from '../engine/llm/router/types.ts';

// Seconds; an LLM turn runs from well under a second (offline) to minutes (large local models).
const LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface MetricsSnapshotInput {
  debatesByStatus: Record<string, number>;
  budget: BudgetSnapshot | null;
  deliveries: { pending: number; failed: number } | null;
  router?: RouterSnapshot | null;
  runner?: RunnerLoad | null;
  /** This process's cached reads per group (null without Redis). */
  cache?: Record<CacheGroup, CacheCounts> | null;
  sseClients: number;
  memory: NodeJS.MemoryUsage;
  cpuSeconds: number;
  uptimeSeconds: number;
}

/** Counters fed from bus events since this process started, rendered in Prometheus text format. */
export function createMetrics(bus: EventBus, now: () => number) {
  const events = new Map<string, number>();
  const messages = new Map<string, number>();
  const tokens = { prompt: 0, completion: 0 };
  let cost = 0;
  const buckets = LATENCY_BUCKETS.map(() => 0);
  let latencyCount = 0;
  let latencySum = 0;
  const turnStarts = new Map<string, number>();

  const observe = (seconds: number) => {
    latencyCount++;
    latencySum += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) buckets[i]!++;
  };

  const onEvent = (event: ArenaEvent) => {
    if (event.type === 'message.delta') return;
    events.set(event.type, (events.get(event.type) ?? 0) + 1);
    if (event.type === 'turn.started') {
      turnStarts.set(`${event.debateId}:${event.turnIndex}`, now());
    } else if (event.type === 'message.created') {
      const m = event.message;
      messages.set(m.authorKind, (messages.get(m.authorKind) ?? 0) + 1);
      tokens.prompt += m.promptTokens;
      tokens.completion += m.completionTokens;
      cost += m.costUsd;
      const key = `${event.debateId}:${m.turnIndex}`;
      const started = turnStarts.get(key);
      turnStarts.delete(key);
      // The provider's own timing when the engine records it; otherwise turn start → commit.
      const ms =
        typeof m.metadata?.ms === 'number' ? m.metadata.ms : started !== undefined ? now() - started : null;
      if (m.authorKind === 'persona' && ms !== null && ms >= 0) observe(ms / 1000);
    } else if (event.type === 'debate.completed') {
      for (const key of turnStarts.keys()) if (key.startsWith(`${event.debateId}:`)) turnStarts.delete(key);
    }
  };
  const unsubscribe = bus.subscribe(onEvent);

  return {
    render(input: MetricsSnapshotInput): string {
      const out: string[] = [];
      const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
        for (const [labels, value] of samples) out.push(`${name}${labels} ${fmt(value)}`);
      };
      const statuses = ['active', 'paused', 'completed', 'cancelled', 'failed'];
      metric(
        'arena_debates',
        'gauge',
        'Debates in the database by status.',
        statuses.map((s) => [`{status="${s}"}`, input.debatesByStatus[s] ?? 0]),
      );
      if (input.runner) {
        const r = input.runner;
        metric(
          'arena_runner_debates',
          'gauge',
          "Debates this process's runner drives now, and those waiting for a slot.",
          [
            ['{state="running"}', r.running],
            ['{state="queued"}', r.queued],
          ],
        );
        metric(
          'arena_runner_capacity',
          'gauge',
          'Debates this runner drives at once; more wait in its queue.',
          [['', r.capacity]],
        );
      }
      metric(
        'arena_messages_total',
        'counter',
        'Debate messages committed since start, by author kind (persona messages are turns).',
        ['persona', 'human', 'system'].map((k) => [`{author_kind="${k}"}`, messages.get(k) ?? 0]),
      );
      metric('arena_llm_tokens_total', 'counter', 'LLM tokens of committed messages since start.', [
        ['{kind="prompt"}', tokens.prompt],
        ['{kind="completion"}', tokens.completion],
      ]);
      metric('arena_llm_cost_usd_total', 'counter', 'LLM cost in USD of committed messages since start.', [
        ['', cost],
      ]);
      out.push(
        '# HELP arena_llm_latency_seconds Time from turn start to committed message.',
        '# TYPE arena_llm_latency_seconds histogram',
      );
      for (const [i, b] of LATENCY_BUCKETS.entries())
        out.push(`arena_llm_latency_seconds_bucket{le="${b}"} ${buckets[i]}`);
      out.push(
        `arena_llm_latency_seconds_bucket{le="+Inf"} ${latencyCount}`,
        `arena_llm_latency_seconds_sum ${fmt(latencySum)}`,
        `arena_llm_latency_seconds_count ${latencyCount}`,
      );
      metric(
        'arena_events_total',
        'counter',
        'Engine events seen on the bus since start, by type (deltas excluded).',
        [...events.entries()].sort().map(([t, n]) => [`{type="${t}"}`, n]),
      );
      if (input.budget) {
        const b = input.budget;
        metric('arena_budget_spent_usd', 'gauge', 'Spent in the current budget window.', [
          ['{window="day"}', b.day.spentUsd],
          ['{window="month"}', b.month.spentUsd],
        ]);
        metric('arena_budget_limit_usd', 'gauge', 'Limit of the current budget window.', [
          ['{window="day"}', b.day.limitUsd],
          ['{window="month"}', b.month.limitUsd],
        ]);
        metric('arena_budget_tokens', 'gauge', 'Tokens used in the current budget window.', [
          ['{window="day"}', b.day.tokens],
          ['{window="month"}', b.month.tokens],
        ]);
      }
      if (input.deliveries) {
        metric('arena_deliveries', 'gauge', 'Chat deliveries in the outbox by status.', [
          ['{status="pending"}', input.deliveries.pending],
          ['{status="failed"}', input.deliveries.failed],
        ]);
      }
      if (input.router) routerMetrics(metric, input.router);
      if (input.cache) {
        const results = ['hit', 'miss', 'error'] as const;
        const field = { hit: 'hits', miss: 'misses', error: 'errors' } as const;
        metric(
          'arena_cache_reads_total',
          'counter',
          'Cached reads since start, by cache group and answer: hit (Redis), miss (database: nothing current stored), error (database: Redis failed or was away).',
          Object.entries(input.cache).flatMap(([group, c]) =>
            results.map((r): [string, number] => [`{group="${group}",result="${r}"}`, c[field[r]]]),
          ),
        );
      }
      metric('arena_sse_clients', 'gauge', 'Open dashboard event streams.', [['', input.sseClients]]);
      metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [
        ['', input.memory.rss],
      ]);
      metric('process_heap_used_bytes', 'gauge', 'V8 heap in use in bytes.', [['', input.memory.heapUsed]]);
      metric('process_cpu_seconds_total', 'counter', 'User and system CPU time spent in seconds.', [
        ['', input.cpuSeconds],
      ]);
      metric('process_uptime_seconds', 'gauge', 'Seconds since the process started.', [
        ['', input.uptimeSeconds],
      ]);
      return `${out.join('\n')}\n`;
    },
    close: unsubscribe,
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

type MetricFn = (name: string, type: string, help: string, samples: Array<[string, number]>) => void;

function routerMetrics(metric: MetricFn, r: RouterSnapshot): void {
  const label = (model: string) => `{model="${model.replace(/["\\\n]/g, '_')}"}`;
  metric(
    'arena_llm_queued',
    'gauge',
    'Model calls waiting in the LLM router, by model.',
    Object.entries(r.queued).map(([m, n]) => [label(m), n]),
  );
  metric('arena_llm_in_flight', 'gauge', 'Model calls running now.', [['', r.inFlight]]);
  metric(
    'arena_llm_loaded_model_bytes',
    'gauge',
    'Models the model server has loaded, with their size in memory.',
    r.loadedModels.map((m) => [label(m.model), m.sizeBytes]),
  );
  metric('arena_llm_model_loads_total', 'counter', 'Calls dispatched for a model that was not loaded.', [
    ['', r.modelLoads],
  ]);
  metric('arena_llm_calls_total', 'counter', 'Model calls dispatched by the router since start.', [
    ['', r.callsTotal],
  ]);
  metric('arena_llm_oldest_wait_seconds', 'gauge', 'How long the oldest waiting call has waited.', [
    ['', r.oldestWaitMs / 1000],
  ]);
  metric('arena_llm_rate_limited_total', 'counter', 'Rate-limit answers (429) from the provider.', [
    ['', r.rateLimitHits],
  ]);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(9)));
}
