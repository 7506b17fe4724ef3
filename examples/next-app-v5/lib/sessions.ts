import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';

// One manager (and one in-memory store) per process: Next.js evaluates this
// module once per server bundle, so without globalThis the sign-in route and
// /api/sessions would each see a different set of sessions.
const KEY = Symbol.for('sessionkit-example-v5:session-manager');
type GlobalWithManager = typeof globalThis & { [KEY]?: SessionManager };

function createManager(): SessionManager {
  return createSessionManager({
    store: createMemoryStore(), // sessions vanish on restart: a demo only
    // `next start` fills in X-Forwarded-For with the peer's address when a
    // request has none: one hop reads that (or what one reverse proxy appended).
    trustProxy: 1,
  });
}

const global = globalThis as GlobalWithManager;
global[KEY] ??= createManager();
export const manager: SessionManager = global[KEY];
