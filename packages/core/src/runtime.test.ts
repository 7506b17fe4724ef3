import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStore, createSessionManager, EdgeRuntimeError } from './index.js';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

describe('on the Edge runtime', () => {
  it('createSessionManager() refuses with one error that names the fix (EdgeRuntime global)', () => {
    vi.stubGlobal('EdgeRuntime', 'edge-runtime');
    const create = () => createSessionManager({ store: createMemoryStore() });
    expect(create).toThrow(EdgeRuntimeError);
    expect(create).toThrow(/runtime: 'nodejs'/);
    expect(create).toThrow(/proxy\.ts/);
    expect(create).toThrow(/@sessionkit\/next-auth\/edge/);
  });

  it("createSessionManager() refuses when Next.js says NEXT_RUNTIME is 'edge'", () => {
    vi.stubEnv('NEXT_RUNTIME', 'edge');
    expect(() => createSessionManager({ store: createMemoryStore() })).toThrow(
      expect.objectContaining({ code: 'EDGE_RUNTIME' }),
    );
  });

  it("works on Node.js (NEXT_RUNTIME 'nodejs' or unset)", () => {
    vi.stubEnv('NEXT_RUNTIME', 'nodejs');
    expect(() => createSessionManager({ store: createMemoryStore() })).not.toThrow();
  });
});
