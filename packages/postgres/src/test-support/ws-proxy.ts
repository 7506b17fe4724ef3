import { createConnection, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * What Neon runs in front of its databases, in 40 lines: a WebSocket server
 * that pipes each connection's binary frames to a PostgreSQL TCP socket and
 * back. `@neondatabase/serverless` (and `@vercel/postgres`, built on it) speak
 * the ordinary wire protocol through it, so their pools run against a real
 * local server with `neonConfig.wsProxy` pointing here.
 */
export interface WsProxy {
  port: number;
  /** For `neonConfig.wsProxy`: every host the driver asks for goes to the local server. */
  wsProxy: (host: string, port: number | string) => string;
  /** While true, frames are swallowed: the database looks alive and never answers. */
  silent: boolean;
  /** Connections opened so far. */
  connections: number;
  close(): Promise<void>;
}

export async function startWsProxy(pgPort: number): Promise<WsProxy> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const sockets = new Set<Socket>();
  const proxy: WsProxy = {
    port,
    wsProxy: () => `127.0.0.1:${port}/v2`,
    silent: false,
    connections: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on('connection', (ws) => {
    proxy.connections++;
    const tcp = createConnection({ host: '127.0.0.1', port: pgPort });
    sockets.add(tcp);
    tcp.on('data', (data) => ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer) => {
      if (!proxy.silent) tcp.write(data);
    });
    ws.on('close', () => {
      sockets.delete(tcp);
      tcp.destroy();
    });
  });
  return proxy;
}
