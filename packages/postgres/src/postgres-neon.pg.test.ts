import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as neon from '@neondatabase/serverless';
import { SessionStoreError } from '@sessionkit/core';
import { runStoreConformanceTests } from '@sessionkit/core/testing';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import { createPool } from '@vercel/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';
import { startWsProxy, type WsProxy } from './test-support/ws-proxy.js';

// The serverless drivers against a REAL PostgreSQL: Neon's Pool speaks the wire
// protocol over a WebSocket, so a local WebSocket→TCP proxy (what Neon runs in
// front of its databases) stands in for Neon's edge. @vercel/postgres 0.10 is
// built on its own copy of @neondatabase/serverless (0.9.x), configured the same.

type NeonModule = typeof neon;

/** Points one copy of @neondatabase/serverless at the local proxy, over plain ws://. */
function configure(module: NeonModule, proxy: WsProxy) {
  module.neonConfig.webSocketConstructor = ws;
  module.neonConfig.wsProxy = proxy.wsProxy;
  module.neonConfig.useSecureWebSocket = false;
  // 'password' (the default) sends the password before the server asks for it;
  // this cluster trusts loopback and asks for none.
  module.neonConfig.pipelineConnect = false;
}

/** The copy of @neondatabase/serverless that @vercel/postgres imports (its own, older one). */
async function vercelsNeon(): Promise<NeonModule> {
  const require = createRequire(import.meta.url);
  // dist/index-node.cjs → the package directory (its exports hide package.json).
  const vercelDir = realpathSync(dirname(dirname(require.resolve('@vercel/postgres'))));
  const neonDir = join(vercelDir, '..', '..', '@neondatabase', 'serverless');
  return import(pathToFileURL(join(realpathSync(neonDir), 'index.mjs')).href);
}

const found = findPgBin();

if ('missing' in found) {
  describe('postgres store on @neondatabase/serverless and @vercel/postgres', () => {
    it.skip(`skipped: ${found.missing}`, () => {});
  });
} else {
  let server: PgServer;
  let proxy: WsProxy;
  // Host names are never resolved: the proxy sends every connection to the local
  // server. '-pooler.' is what @vercel/postgres' createPool() asks of a URL.
  const url = 'postgres://postgres:unused@ep-sessionkit-test-pooler.example.invalid/postgres';
  let neonPool: neon.Pool;
  let vercelPool: ReturnType<typeof createPool>;
  let n = 0;

  beforeAll(async () => {
    server = await startPgServer({ bin: found.bin });
    proxy = await startWsProxy(server.port);
    configure(neon, proxy);
    configure(await vercelsNeon(), proxy);
    neonPool = new neon.Pool({ connectionString: url, max: 8 });
    neonPool.on('error', () => {});
    vercelPool = createPool({ connectionString: url, max: 8 });
    vercelPool.on('error', () => {});
  }, 60_000);

  afterAll(async () => {
    await neonPool?.end().catch(() => undefined);
    await vercelPool?.end().catch(() => undefined);
    await proxy?.close();
    server?.stop();
  });

  describe('the drivers reach the local server through the proxy', () => {
    it('Neon Pool and @vercel/postgres createPool() both run queries over WebSocket', async () => {
      const before = proxy.connections;
      const a = await neonPool.query('SELECT $1::text AS v', ['neon']);
      const b = await vercelPool.query('SELECT $1::text AS v', ['vercel']);
      expect([a.rows[0].v, b.rows[0].v]).toEqual(['neon', 'vercel']);
      expect(proxy.connections).toBeGreaterThan(before);
    });
  });

  for (const [name, pool] of [
    ['@neondatabase/serverless Pool', () => neonPool],
    ['@vercel/postgres createPool()', () => vercelPool],
  ] as const) {
    runStoreConformanceTests(
      `postgres on ${name}`,
      async ({ now }) => {
        const tablePrefix = `n${n++}_`;
        await ensurePostgresSchema(pool(), { tablePrefix });
        return createPostgresStore({ pool: pool(), tablePrefix, now, timeout: 5_000 });
      },
      { numRuns: 8, timeout: 20_000 },
    );
  }

  describe('fail closed through the proxy', () => {
    it('a database that stops answering: every call fails with SessionStoreError within the timeout', async () => {
      // connectionTimeoutMillis as docs/adapters/postgres.md recommends: a connection
      // whose handshake was swallowed is given up instead of holding a pool slot.
      const pool = new neon.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 1_000 });
      pool.on('error', () => {});
      await ensurePostgresSchema(pool, { tablePrefix: 'silent_' });
      const store = createPostgresStore({ pool, tablePrefix: 'silent_', timeout: 300 });
      expect(await store.get('none')).toBeNull();
      proxy.silent = true;
      try {
        const started = performance.now();
        const results = await Promise.allSettled([
          store.get('a'),
          store.listActive('u', { limit: 5, after: null }),
          store.get('b'),
        ]);
        for (const r of results) {
          expect(r.status).toBe('rejected');
          expect(r.status === 'rejected' ? r.reason : null).toBeInstanceOf(SessionStoreError);
        }
        expect(performance.now() - started).toBeLessThan(300 + 250);
      } finally {
        proxy.silent = false;
      }
      // The pool drops the connections that went quiet (query_timeout, connection
      // timeout) and serves again once the database answers.
      const deadline = Date.now() + 5_000;
      let answered = false;
      let tries = 0;
      while (!answered && Date.now() < deadline) {
        tries++;
        answered = await store.get('none').then(
          () => true,
          () => false,
        );
      }
      expect({ answered, tries }).toMatchObject({ answered: true });
      // Not awaited: ending a pool waits for connections the silence left hanging.
      void pool.end().catch(() => undefined);
    }, 20_000);
  });

  describe('what does not work', () => {
    it('neon() (SQL over HTTP: no connect(), no transaction) is refused at construction with the fix', () => {
      const sql = neon.neon(url);
      expect(() => createPostgresStore({ pool: sql as never })).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: expect.stringContaining('neon()'),
        }),
      );
    });
  });
}
