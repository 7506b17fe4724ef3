import { type SessionStore, sessionIdShard } from '@sessionkit/core';
import { type ConformanceOptions, runStoreConformanceTests } from '@sessionkit/core/testing';
import type { Cluster, Redis } from 'ioredis';
import { createRedisStore } from './redis-store.js';

/**
 * The shared conformance suite over a Redis client (standalone, Cluster, either
 * ioredis major), with the read-back hook: the suite reads each session's key
 * and TTL straight from Redis, so what the store persisted (hashes only, the
 * owner, expiry) is checked by the suite rather than by hand in each file.
 * `client` is a getter because test files connect in beforeAll.
 */
export function runRedisConformance(
  name: string,
  client: () => Redis | Cluster,
  nextPrefix: () => string,
  options: Omit<ConformanceOptions, 'readBack'> = {},
): void {
  const prefixes = new WeakMap<SessionStore, string>();
  runStoreConformanceTests(
    name,
    ({ now }) => {
      const prefix = nextPrefix();
      const store = createRedisStore({ client: client(), prefix, now });
      prefixes.set(store, prefix);
      return store;
    },
    {
      ...options,
      readBack: (store) => {
        const key = (id: string) => `${prefixes.get(store)}{${sessionIdShard(id)}}:sess:${id}`;
        return {
          // The value as Redis holds it: `<head JSON>\n<body JSON>`.
          rawSession: (id) => client().get(key(id)),
          ttlMs: async (id) => {
            const ttl = await client().pttl(key(id));
            return ttl < 0 ? null : ttl; // -1: no TTL, -2: no key
          },
        };
      },
    },
  );
}
