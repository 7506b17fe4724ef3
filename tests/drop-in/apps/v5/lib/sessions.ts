import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';
import { createRedisStore } from '@sessionkit/redis';
import Redis from 'ioredis';

function createManager(): SessionManager {
  return createSessionManager({
    store: process.env.REDIS_URL
      ? createRedisStore({ client: new Redis(process.env.REDIS_URL) })
      : createMemoryStore(),
    // `next start` sets X-Forwarded-For to the peer's address.
    trustProxy: 1,
  });
}

// One manager per process (Next.js may evaluate this module more than once).
const globalForSessions = globalThis as typeof globalThis & { sessionManager?: SessionManager };
globalForSessions.sessionManager ??= createManager();
export const manager: SessionManager = globalForSessions.sessionManager;
