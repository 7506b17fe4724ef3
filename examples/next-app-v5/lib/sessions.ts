import { createMemoryStore, createSessionManager, type SessionManager } from '@sessionkit/core';

// One manager (and one in-memory store) per process: Next.js evaluates this
// module once per server bundle, so without globalThis the sign-in route and
// /api/sessions would each see a different set of sessions.
const KEY = Symbol.for('sessionkit-example-v5:session-manager');
type GlobalWithManager = typeof globalThis & { [KEY]?: SessionManager };

function createManager(): SessionManager {
  return createSessionManager({
    store: createMemoryStore(), // sessions vanish on restart: a demo only
    // No trusted proxy unless SESSIONKIT_TRUST_PROXY names the hops you run:
    // trusting a hop that is not there lets any client pick its recorded IP.
    trustProxy: trustProxyFromEnv(process.env.SESSIONKIT_TRUST_PROXY),
  });
}

function trustProxyFromEnv(value: string | undefined): boolean | number {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const hops = Number(value);
  if (!Number.isInteger(hops) || hops < 0) {
    throw new Error(
      `SESSIONKIT_TRUST_PROXY must be true, false or a number of hops (got "${value}").`,
    );
  }
  return hops;
}

const global = globalThis as GlobalWithManager;
global[KEY] ??= createManager();
export const manager: SessionManager = global[KEY];
