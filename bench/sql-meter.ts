import { performance } from 'node:perf_hooks';
import {
  type Kysely,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  PostgresQueryCompiler,
  type QueryResult,
  type UnknownRow,
} from 'kysely';

/** What the database was asked to do while the meter ran. */
export interface SqlStats {
  /** Statements sent, counting each transaction's BEGIN and COMMIT. */
  statements: number;
  transactions: number;
  /** Statements that change rows (INSERT, UPDATE, DELETE, MERGE). */
  writes: number;
  /** Size of all bound parameters, in bytes as sent (UTF-8 text, 8 per number, JSON for objects). */
  paramBytes: number;
  /** Parameter bytes of the writing statements: what a turn puts into the database. */
  writeParamBytes: number;
  /** Statement count per `verb table`, e.g. `insert debate_messages`. */
  byKind: Record<string, number>;
  /** Milliseconds the meter itself spent compiling and counting, to take out of CPU figures. */
  selfMs: number;
}

export interface SqlMeter<DB> {
  /** The database to hand to the code under test: counts every statement and transaction. */
  db: Kysely<DB>;
  stats(): SqlStats;
  reset(): void;
}

const WRITE = /^(insert|update|delete|merge)$/;
/** A statement with CTEs writes when any part of it does (the turn's commit is one such statement). */
const WRITING_CTE = /\b(insert\s+into|update\s+"?\w+"?\s+(as\s+\w+\s+)?set|delete\s+from)\b/i;

/**
 * Wraps a Kysely instance with a plugin that counts statements and their parameter bytes, and
 * counts transactions (BEGIN + COMMIT are statements the driver sends without a plugin seeing them).
 */
export function meterDatabase<DB>(db: Kysely<DB>): SqlMeter<DB> {
  const compiler = new PostgresQueryCompiler();
  let stats = empty();

  const plugin: KyselyPlugin = {
    transformQuery(args: PluginTransformQueryArgs) {
      const began = performance.now();
      // Compiling again is the only public way to see the parameters; its cost is timed and taken out.
      const compiled = compiler.compileQuery(args.node, args.queryId);
      const [verb, table] = describe(compiled.sql);
      const bytes = paramBytes(compiled.parameters);
      stats.statements++;
      stats.paramBytes += bytes;
      if (WRITE.test(verb) || (verb === 'with' && WRITING_CTE.test(compiled.sql))) {
        stats.writes++;
        stats.writeParamBytes += bytes;
      }
      const key = `${verb} ${table}`;
      stats.byKind[key] = (stats.byKind[key] ?? 0) + 1;
      stats.selfMs += performance.now() - began;
      return args.node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };

  const onTransaction = () => {
    stats.transactions++;
    stats.statements += 2;
  };
  return {
    db: countTransactions(db.withPlugin(plugin), onTransaction),
    stats: () => ({ ...stats, byKind: { ...stats.byKind } }),
    reset() {
      stats = empty();
    },
  };
}

function empty(): SqlStats {
  return {
    statements: 0,
    transactions: 0,
    writes: 0,
    paramBytes: 0,
    writeParamBytes: 0,
    byKind: {},
    selfMs: 0,
  };
}

/** `verb table` of a compiled statement; a statement with CTEs is `with <first CTE's name>`. */
function describe(text: string): [string, string] {
  const cte = /^\s*with\s+"?(\w+)"?\s+as\s*\(/i.exec(text);
  if (cte) return ['with', cte[1]!];
  const write = /^\s*(insert into|update|delete from|merge into)\s+"?(\w+)"?/i.exec(text);
  if (write) return [write[1]!.toLowerCase().split(' ')[0]!, write[2]!];
  const read = /^\s*select\s+.*?\s+from\s+"?(\w+)"?/is.exec(text);
  if (read) return ['select', read[1]!];
  return [text.trim().split(/\s+/)[0]?.toLowerCase() ?? '?', '?'];
}

function paramBytes(values: readonly unknown[]): number {
  let total = 0;
  for (const v of values) total += sizeOf(v);
  return total;
}

function sizeOf(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Date) return 8;
  if (typeof v === 'boolean') return 1;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + sizeOf(x), 0);
  return Buffer.byteLength(JSON.stringify(v));
}

interface Builder {
  execute(fn: unknown): Promise<unknown>;
}

// Kysely keeps its state in #private fields, so every method must run on the real instance.
function countTransactions<DB>(db: Kysely<DB>, onTransaction: () => void): Kysely<DB> {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'transaction') return () => wrapBuilder(target.transaction() as Builder, onTransaction);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function wrapBuilder(builder: Builder, onTransaction: () => void): Builder {
  return new Proxy(builder, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'execute') {
        return (fn: unknown) => {
          onTransaction();
          return target.execute(fn);
        };
      }
      // Builder methods (setIsolationLevel, setAccessMode) return new builders: keep counting on those.
      return (...args: unknown[]) => {
        const out = value.apply(target, args);
        return out && typeof out === 'object' && 'execute' in out
          ? wrapBuilder(out as Builder, onTransaction)
          : out;
      };
    },
  });
}
