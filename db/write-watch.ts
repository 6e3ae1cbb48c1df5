import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  RootOperationNode,
  TransactionSettings,
} from 'kysely';

const WRITE_KINDS = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);
// Raw SQL (sql`…`) that changes rows; the table names are then looked for in its text.
const RAW_WRITE = /\b(insert\s+into|update|delete\s+from|merge\s+into|truncate)\b/i;
const RAW_IDENT = /"?([a-z_][a-z0-9_]*)"?/gi;

/** Told, once a write is committed, which of its known tables it changed. */
export interface WriteListener {
  tables: ReadonlySet<string>;
  onCommit: (tables: ReadonlySet<string>) => void;
}

/** The listeners of one database handle (connect.ts); no listener costs nothing per query. */
export interface WriteWatch {
  /** Adds a listener; returns its removal. */
  listen(listener: WriteListener): () => void;
}

/**
 * Wraps a dialect so its listeners learn which tables each write changed, once it is committed: a
 * statement on its own after it ran, a statement in a transaction after that transaction's COMMIT
 * (and never when it rolls back). Writes are found in the query itself — insert, update, delete or
 * merge, built with Kysely or written as raw SQL — so there is no list of write sites to keep up to
 * date. Seen at the driver, where the transaction's begin and commit pass, whoever runs them.
 */
export function watchDialect(dialect: Dialect): { dialect: Dialect; watch: WriteWatch } {
  const listeners = new Set<WriteListener>();
  const known = new Set<string>();
  const refreshKnown = () => {
    known.clear();
    for (const l of listeners) for (const t of l.tables) known.add(t);
  };
  const committed = (tables: ReadonlySet<string>) => {
    for (const l of listeners) {
      const mine = new Set([...tables].filter((t) => l.tables.has(t)));
      if (mine.size === 0) continue;
      try {
        l.onCommit(mine);
      } catch {
        // A listener never fails the write it is told about.
      }
    }
  };
  const watch: WriteWatch = {
    listen(listener) {
      listeners.add(listener);
      refreshKnown();
      return () => {
        listeners.delete(listener);
        refreshKnown();
      };
    },
  };
  const tablesOf = (query: CompiledQuery): Set<string> | null => {
    if (known.size === 0) return null;
    const tables = writtenTables(query.query, known);
    return tables.size ? tables : null;
  };
  return {
    watch,
    dialect: {
      createAdapter: () => dialect.createAdapter(),
      createIntrospector: (db) => dialect.createIntrospector(db),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createDriver: () => new WatchingDriver(dialect.createDriver(), tablesOf, committed),
    },
  };
}

/** A connection as handed out by WatchingDriver: the tables its open transaction wrote, if one is open. */
class WatchedConnection implements DatabaseConnection {
  inTransaction: Set<string> | null = null;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly tablesOf: (query: CompiledQuery) => Set<string> | null,
    private readonly committed: (tables: ReadonlySet<string>) => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const tables = this.tablesOf(query);
    if (!tables) return this.inner.executeQuery<R>(query);
    try {
      return await this.inner.executeQuery<R>(query);
    } finally {
      // Also when it failed: a lost connection may have committed it; one miss too many is cheap.
      this.wrote(tables);
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const tables = this.tablesOf(query);
    try {
      yield* this.inner.streamQuery<R>(query, chunkSize);
    } finally {
      if (tables) this.wrote(tables);
    }
  }

  private wrote(tables: Set<string>) {
    if (this.inTransaction) for (const t of tables) this.inTransaction.add(t);
    else this.committed(tables);
  }
}

class WatchingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly tablesOf: (query: CompiledQuery) => Set<string> | null,
    private readonly committed: (tables: ReadonlySet<string>) => void,
  ) {
    // Savepoints exist only where the wrapped driver has them (Kysely checks for the methods).
    if (inner.savepoint) this.savepoint = (c, name, compile) => inner.savepoint!(unwrap(c), name, compile);
    if (inner.rollbackToSavepoint)
      this.rollbackToSavepoint = (c, name, compile) => inner.rollbackToSavepoint!(unwrap(c), name, compile);
    if (inner.releaseSavepoint)
      this.releaseSavepoint = (c, name, compile) => inner.releaseSavepoint!(unwrap(c), name, compile);
  }
  savepoint?: (c: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) => Promise<void>;
  rollbackToSavepoint?: (
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) => Promise<void>;
  releaseSavepoint?: (
    c: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) => Promise<void>;

  init() {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new WatchedConnection(await this.inner.acquireConnection(), this.tablesOf, this.committed);
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    await this.inner.beginTransaction(unwrap(c), settings);
    (c as WatchedConnection).inTransaction = new Set();
  }
  async commitTransaction(c: DatabaseConnection) {
    const wc = c as WatchedConnection;
    const tables = wc.inTransaction;
    wc.inTransaction = null;
    try {
      await this.inner.commitTransaction(wc.inner);
    } finally {
      // After COMMIT returned (or failed, when the outcome is unknown): now others can read the rows.
      if (tables?.size) this.committed(tables);
    }
  }
  async rollbackTransaction(c: DatabaseConnection) {
    (c as WatchedConnection).inTransaction = null;
    await this.inner.rollbackTransaction(unwrap(c));
  }
  releaseConnection(c: DatabaseConnection) {
    return this.inner.releaseConnection(unwrap(c));
  }
  destroy() {
    return this.inner.destroy();
  }
}

const unwrap = (c: DatabaseConnection) => (c instanceof WatchedConnection ? c.inner : c);

/** The known tables a query may write to (empty for a read). Exported for tests. */
export function writtenTables(node: RootOperationNode, known: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  // A select may write only through a data-modifying WITH (`with x as (update …) select …`); raw
  // SQL is looked into, nested fragments (sql`… ${sql`…`}`) included.
  const hasWith = 'with' in node && node.with !== undefined;
  if (!WRITE_KINDS.has(node.kind) && node.kind !== 'RawNode' && !hasWith) return out;
  let writes = false;
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const o = n as { kind?: unknown; table?: { identifier?: { name?: unknown } }; sqlFragments?: unknown };
    if (typeof o.kind === 'string' && WRITE_KINDS.has(o.kind)) writes = true;
    if (o.kind === 'TableNode' && typeof o.table?.identifier?.name === 'string') {
      const name = o.table.identifier.name;
      if (known.has(name)) out.add(name);
    }
    if (o.kind === 'RawNode' && Array.isArray(o.sqlFragments)) {
      const text = o.sqlFragments.join(' ');
      if (RAW_WRITE.test(text)) writes = true;
      for (const m of text.matchAll(RAW_IDENT)) {
        const name = m[1]!.toLowerCase();
        if (known.has(name)) out.add(name);
      }
    }
    for (const v of Object.values(n)) if (v && typeof v === 'object') walk(v);
  };
  walk(node);
  if (!writes) out.clear();
  return out;
}
