import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

const WRITE_KINDS = new Set(['InsertQueryNode', 'UpdateQueryNode', 'DeleteQueryNode', 'MergeQueryNode']);
// Raw SQL (sql`…`) that changes rows; the table names are then looked for in its text.
const RAW_WRITE = /\b(insert\s+into|update|delete\s+from|merge\s+into|truncate)\b/i;
const RAW_IDENT = /"?([a-z_][a-z0-9_]*)"?/gi;

/**
 * Calls `onWrite` with the tables a query may change, before it runs, for every insert, update,
 * delete or merge — built with Kysely or written as raw SQL, in a transaction or not. Reads cost a
 * look at the root node only. A table read by a writing query may be named too: callers use it to
 * drop cached reads, where naming one table too many only costs a cache miss.
 */
export function writeWatchPlugin(props: {
  tables: ReadonlySet<string>;
  onWrite: (tables: ReadonlySet<string>) => void;
}): KyselyPlugin {
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      const written = writtenTables(node, props.tables);
      if (written.size > 0) props.onWrite(written);
      return node;
    },
    async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}

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
