import { afterEach, describe, expect, it, vi } from 'vitest';
import { afterResponse } from './after-response.js';

const VERCEL_CONTEXT = Symbol.for('@vercel/request-context');

describe('afterResponse()', () => {
  afterEach(() => {
    delete (globalThis as Record<symbol, unknown>)[VERCEL_CONTEXT];
  });

  it("outside a Next request scope, Next's after() refuses and the host's waitUntil gets the write", async () => {
    const waitUntil = vi.fn();
    (globalThis as Record<symbol, unknown>)[VERCEL_CONTEXT] = { get: () => ({ waitUntil }) };
    const schedule = await afterResponse();
    const write = Promise.resolve();
    expect(() => schedule(write)).not.toThrow();
    expect(waitUntil).toHaveBeenCalledWith(write);
  });

  it('with neither, never throws: the write simply runs in the background', async () => {
    const schedule = await afterResponse();
    let ran = false;
    const write = Promise.resolve().then(() => {
      ran = true;
    });
    expect(() => schedule(write)).not.toThrow();
    await write;
    expect(ran).toBe(true);
  });
});
