import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy a test can cut (every connection dropped, new ones turned away) and restore. */
export interface TcpProxy {
  port: number;
  /** Drops every open connection and turns new ones away until restore(). */
  cut(): void;
  /** Resolves once new connections are accepted again (on the same port). */
  restore(): Promise<void>;
  /** Connections currently open through the proxy. */
  open(): number;
  close(): Promise<void>;
}

export interface TcpProxyOptions {
  /**
   * How a cut proxy turns connections away: `drop` accepts then closes them (a server that goes
   * away mid-handshake, the default); `refuse` stops listening, so they get ECONNREFUSED (a server
   * that is not there at all), and listens on the same port again at restore().
   */
  whenCut?: 'drop' | 'refuse';
}

export async function startTcpProxy(
  target: { host: string; port: number },
  opts: TcpProxyOptions = {},
): Promise<TcpProxy> {
  const refuse = opts.whenCut === 'refuse';
  const sockets = new Set<Socket>();
  let up = true;
  const relay = (client: Socket) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A reset on one side ends the other; errors here are the point of the test, not failures.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server | null = null;
  const listen = (port: number) =>
    new Promise<number>((resolve) => {
      const s = createServer(relay);
      server = s;
      s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });
  const port = await listen(0);
  return {
    port,
    cut() {
      up = false;
      if (refuse) void stopListening();
      for (const s of sockets) s.destroy();
    },
    async restore() {
      up = true;
      if (refuse && !server) await listen(port);
    },
    open: () => sockets.size / 2,
    async close() {
      up = false;
      for (const s of sockets) s.destroy();
      await stopListening();
    },
  };
}
