import {
  createMemoryStore,
  createSessionManager,
  type SessionManager,
  type SessionStore,
  type TrustProxy,
} from '@sessionkit/core';
import { createGeoipLiteResolver } from '@sessionkit/core/geoip';
import { createMongoStore } from '@sessionkit/mongo';
import { createRedisStore } from '@sessionkit/redis';
import { Redis } from 'ioredis';
import { config } from './config';
import { registerNotifications } from './notifications';
import { createExamplePostgresStore } from './postgres-store';

export type StoreKind = 'memory' | 'redis' | 'mongo' | 'postgres';

interface ManagerHolder {
  manager: SessionManager;
  storeKind: StoreKind;
}

// Next.js evaluates this module once per server bundle (each route, the
// instrumentation hook) and again on every hot reload in development. Keeping
// the manager on globalThis gives the whole process ONE manager and, with the
// memory store, one set of sessions: without it a session created by the
// sign-in route would be unknown to /api/sessions.
const HOLDER_KEY = Symbol.for('sessionkit-example:session-manager');

type GlobalWithHolder = typeof globalThis & { [HOLDER_KEY]?: ManagerHolder };

function createStore(): { store: SessionStore; storeKind: StoreKind; description: string } {
  const redisUrl = process.env.REDIS_URL;
  const mongoUri = process.env.MONGODB_URI;
  const databaseUrl = process.env.DATABASE_URL;
  if (redisUrl) {
    const client = new Redis(redisUrl, {
      // Connect on first use, so `next build` (which loads this module) never dials Redis.
      lazyConnect: true,
      // Fail fast when Redis is down: the store's own timeout (500 ms) then makes
      // sessionkit fail closed instead of waiting on retries.
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    });
    client.on('error', (error: Error) => {
      console.error(`[sessionkit] Redis connection error: ${error.message}`);
    });
    return {
      store: createRedisStore({ client, prefix: process.env.REDIS_PREFIX ?? 'sk:' }),
      storeKind: 'redis',
      description: `Redis at ${redactUrl(redisUrl)}`,
    };
  }
  if (mongoUri) {
    return {
      store: createMongoStore({ uri: mongoUri }),
      storeKind: 'mongo',
      description: `MongoDB at ${redactUrl(mongoUri)}`,
    };
  }
  if (databaseUrl && /^postgres(ql)?:\/\//.test(databaseUrl)) {
    return {
      store: createExamplePostgresStore(databaseUrl),
      storeKind: 'postgres',
      description: `PostgreSQL at ${redactUrl(databaseUrl)}`,
    };
  }
  return {
    store: createMemoryStore(),
    storeKind: 'memory',
    description:
      'in-memory (sessions are lost on restart; set REDIS_URL, MONGODB_URI or DATABASE_URL to persist them)',
  };
}

/** The URL without its password, fit for a log line. */
function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function parseTrustProxy(value: string | undefined): TrustProxy {
  // No proxy unless one is configured: trusting a hop that is not there lets
  // any client pick its own IP address with X-Forwarded-For.
  if (value === undefined || value === '') return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  const hops = Number(value);
  if (!Number.isInteger(hops) || hops < 0) {
    throw new Error(
      `SESSIONKIT_TRUST_PROXY must be true, false or a number of hops (got "${value}").`,
    );
  }
  return hops;
}

function createHolder(): ManagerHolder {
  const { store, storeKind, description } = createStore();
  const manager = createSessionManager({
    store,
    expiresIn: config.sessionMaxAgeSeconds * 1000,
    maxSessionsPerUser: config.maxSessionsPerUser,
    // At the limit the sign-in is held and the user picks a device to sign out
    // (/login/choose-session); see docs/next-auth.md.
    limitPolicy: config.limitPolicy,
    // Unset: no trusted proxy, X-Forwarded-For is ignored. Behind one reverse
    // proxy set SESSIONKIT_TRUST_PROXY=1 (the rightmost X-Forwarded-For entry is
    // what it appended), 2 behind a CDN plus a load balancer, and so on.
    trustProxy: parseTrustProxy(process.env.SESSIONKIT_TRUST_PROXY),
    // Loopback and private addresses resolve to null without loading the database.
    geo: createGeoipLiteResolver(),
    // Compare each sign-in with the user's recent ones (new country, impossible
    // travel, bursts): flag it on the session, shown by <SessionManagement />,
    // and emit 'suspiciousLogin' for the notification email.
    suspiciousLogin: { policy: config.suspiciousPolicy },
  });
  // "Email" the user about new devices and suspicious sign-ins (dev outbox).
  registerNotifications(manager);
  if (process.env.NEXT_PHASE !== 'phase-production-build') {
    console.log(`[sessionkit] session store: ${description}`);
    console.log(`[sessionkit] sessions last ${config.sessionMaxAgeSeconds} s`);
  }
  return { manager, storeKind };
}

function holder(): ManagerHolder {
  const global = globalThis as GlobalWithHolder;
  global[HOLDER_KEY] ??= createHolder();
  return global[HOLDER_KEY];
}

/** The process-wide session manager. */
export const sessionManager: SessionManager = holder().manager;

/** Which store the manager uses, for the UI footer and the tests. */
export const storeKind: StoreKind = holder().storeKind;
