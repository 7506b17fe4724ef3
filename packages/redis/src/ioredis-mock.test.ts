import { InvalidInputError } from '@sessionkit/core';
import RedisMock from 'ioredis-mock';
import { describe, expect, it } from 'vitest';
import { createRedisStore } from './redis-store.js';

// ioredis-mock 8.13 has no connection `status` and no cjson in its Lua VM, which
// every script of the store needs: the store refuses it up front, pointing at
// the memory store, instead of failing at the first call.
describe('ioredis-mock', () => {
  it('is refused at construction with InvalidInputError pointing at createMemoryStore()', () => {
    const client = new RedisMock();
    try {
      expect(() => createRedisStore({ client: client as never })).toThrow(InvalidInputError);
      expect(() => createRedisStore({ client: client as never })).toThrow(/createMemoryStore\(\)/);
    } finally {
      client.disconnect();
    }
  });

  it('really cannot run the scripts: its Lua VM has no cjson', async () => {
    const client = new RedisMock();
    try {
      await expect(client.eval('return cjson.encode({1})', 0)).rejects.toThrow();
    } finally {
      client.disconnect();
    }
  });
});
