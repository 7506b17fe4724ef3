// A loopback HTTP endpoint standing in for the app's back-channel logout
// route: it hands each request, as a Fetch `Request`, to whichever handler the
// test installed, and records what the identity provider sent and got back.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  logoutToken: string | null;
  status: number;
  body: string;
  cacheControl: string | null;
}

export interface LogoutReceiver {
  url: string;
  deliveries: Delivery[];
  use(handler: (request: Request) => Promise<Response>): void;
  close(): Promise<void>;
}

export async function startLogoutReceiver(
  path = '/api/auth/backchannel-logout',
): Promise<LogoutReceiver> {
  let handler: ((request: Request) => Promise<Response>) | null = null;
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value);
      }
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      });
      const response = handler
        ? await handler(request)
        : new Response('no handler', { status: 500 });
      const text = await response.text();
      deliveries.push({
        logoutToken: new URLSearchParams(body).get('logout_token'),
        status: response.status,
        body: text,
        cacheControl: response.headers.get('cache-control'),
      });
      res.statusCode = response.status;
      response.headers.forEach((value, name) => {
        res.setHeader(name, value);
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    deliveries,
    use(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
