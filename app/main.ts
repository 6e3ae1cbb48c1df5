import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrateToLatest } from '../db/migrate.ts';
import { loadCatalog } from '../personas/index.ts';
import type { Logger } from '../engine/log.ts';
import { errorText, openDatabase } from './commands/db.ts';
import type { Config } from './config.ts';
import { RuntimeFailure } from './errors.ts';

export interface RunningArena {
  dashboardUrl: string;
  close(): Promise<void>;
}

/** The composition root: migrates, then starts everything the configuration turns on. */
export async function startArena(props: { config: Config; log: Logger }): Promise<RunningArena> {
  const { config, log } = props;
  // A bad persona file stops the start before anything is opened (exit code 2, naming the file).
  const personas = await loadCatalog({ extraDir: config.PERSONAS_DIR });
  log.info(`personas: ${personas.length}${config.PERSONAS_DIR ? ` (with ${config.PERSONAS_DIR})` : ''}`);
  const handle = await openDatabase(config);
  const closers: Array<() => Promise<void>> = [() => handle.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch((e) => log.warn('close failed', { error: errorText(e) }));
  };
  try {
    const report = await migrateToLatest(handle.db);
    if (report.error) throw new RuntimeFailure(`migration failed: ${errorText(report.error)}`);
    log.info(`database: ${handle.dialect === 'pglite' ? 'embedded PGlite' : 'Postgres'} at ${handle.location}`);

    const server = createServer((req, res) => {
      if (req.url === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', db: { dialect: handle.dialect } }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'no such route' } }));
    });
    const dashboardUrl = await listen(server, config.DASHBOARD_HOST, config.DASHBOARD_PORT);
    closers.push(() => closeServer(server));
    log.info(`dashboard: ${dashboardUrl}`);
    return { dashboardUrl, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function listen(server: Server, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new RuntimeFailure(`DASHBOARD_PORT ${port} on ${host} is already in use; set DASHBOARD_PORT to a free port`)
          : e,
      ),
    );
    server.listen(port, host, () => {
      const addr = server.address() as AddressInfo;
      const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve(`http://${shownHost}:${addr.port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
