/** Runs one statement on its own short-lived connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminExecute(url: string, statement: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL of database `name` on the server of `serverUrl` (same host, user and options). */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
