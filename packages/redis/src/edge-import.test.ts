// On the Edge runtime, Next.js lets a module import node:crypto but throws as
// soon as one of its functions is called. Importing the store must therefore
// call none of them (the scripts' SHA-1s are computed on first use), so that
// createSessionManager() can throw its EdgeRuntimeError naming the fix instead
// of a bare "does not support Node.js 'crypto'". Core's own import is pinned
// by packages/core/src/edge-import.test.ts.
import { afterEach, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const refuse = () => {
    throw new Error("The edge runtime does not support Node.js 'crypto' module.");
  };
  return Object.fromEntries(
    Object.keys(real).map((name) => [name, typeof real[name] === 'function' ? refuse : real[name]]),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

it('importing @sessionkit/redis on Edge calls no node:crypto function, so the Edge error can be thrown', async () => {
  vi.stubGlobal('EdgeRuntime', 'edge-runtime');
  const { createRedisStore } = await import('./index.js');
  const core = await import('@sessionkit/core');
  // A stand-in client: on Edge the app could not have built a real one.
  const client = { status: 'wait', options: {}, get: undefined };
  const store = createRedisStore({ client: client as never });
  expect(() => core.createSessionManager({ store })).toThrow(core.EdgeRuntimeError);
});
