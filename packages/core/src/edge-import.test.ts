// On the Edge runtime, Next.js lets a module import node:crypto but throws as
// soon as one of its functions is called. Importing core must therefore call
// none of them, so that createSessionManager() can throw its EdgeRuntimeError
// naming the fix instead of a bare "does not support Node.js 'crypto'".
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

vi.mock('node:net', async (importOriginal) => {
  const real = await importOriginal<Record<string, unknown>>();
  const refuse = () => {
    throw new Error("The edge runtime does not support Node.js 'net' module.");
  };
  return Object.fromEntries(
    Object.keys(real).map((name) => [name, typeof real[name] === 'function' ? refuse : real[name]]),
  );
});

afterEach(() => {
  vi.unstubAllGlobals();
});

it('importing @sessionkit/core on Edge calls no node:crypto or node:net function, so the Edge error can be thrown', async () => {
  vi.stubGlobal('EdgeRuntime', 'edge-runtime');
  const core = await import('./index.js');
  expect(() => core.createSessionManager({ store: core.createMemoryStore() })).toThrow(
    core.EdgeRuntimeError,
  );
});
