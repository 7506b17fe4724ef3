import { describe } from 'vitest';
import { boundedWorkTests } from './bounded-contract.js';
import { challengeContractTests } from './contract-challenge.js';
import { federatedContractTests } from './contract-federated.js';
import { pendingSignInContractTests } from './contract-pending-sign-in.js';
import { refreshGraceContractTests } from './contract-refresh-grace.js';
import { claimsRefreshContractTests } from './contract-refresh-marks.js';
import type { StoreFactory } from './fixtures.js';
import { hardeningContractTests } from './hardening-contract.js';
import { managerContractTests } from './manager-contract.js';
import { modelBasedTest } from './model-based.js';

/** Fixtures for a store's own tests beyond the suite (races, faults, injection). */
export { CAPS, createTestClock, makeRecord, type TestClock } from './fixtures.js';
export { runModelBasedTest } from './model-based.js';

import { raceTests } from './races.js';
import { type ReadBackFactory, readBackTests } from './readback-contract.js';
import { storeContractTests } from './store-contract.js';

export type { StoreFactory, StoreFactoryContext } from './fixtures.js';
export type { ReadBackFactory, StoreReadBack } from './readback-contract.js';

export interface ConformanceOptions {
  /** fast-check runs of the model-based test. @default 30 */
  numRuns?: number;
  /** Per-test timeout in ms (the model-based test gets 10× this). @default 10_000 */
  timeout?: number;
  /**
   * Read-back hooks into the store's database, given the store the factory
   * returned: with them the suite also checks what was persisted (only hashes
   * of secrets, the record's userId, storage expiry where the store has TTL).
   *
   * @example
   * readBack: (store) => ({
   *   rawSession: async (id) => redis.hgetall(`${prefixOf(store)}s:${id}`),
   *   ttlMs: async (id) => redis.pttl(`${prefixOf(store)}s:${id}`),
   * })
   */
  readBack?: ReadBackFactory;
}

/**
 * The conformance suite every {@link SessionStore} must pass, for vitest. Call it
 * at the top level of a test file; `factory` is called before every test and must
 * return a store with fresh (or at least isolated) state. The suite drives a fake
 * clock that starts at the real current time and only moves forward.
 *
 * @example
 * import { runStoreConformanceTests } from '@sessionkit/core/testing';
 * runStoreConformanceTests('redis', () => createRedisStore({ client, prefix: `t${n++}:` }));
 */
export function runStoreConformanceTests(
  name: string,
  factory: StoreFactory,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeout ?? 10_000;
  describe(`${name} store conformance`, { timeout }, () => {
    describe('store contract', () => storeContractTests(factory));
    describe('bounded per-user work', () => boundedWorkTests(factory));
    describe('session manager over the store', () => managerContractTests(factory));
    describe('hardening (issue 20)', () => hardeningContractTests(factory));
    describe('claims refresh marks', () => claimsRefreshContractTests(factory));
    describe('federated sign-out (issue 16)', () => federatedContractTests(factory));
    describe('held sign-ins (limitPolicy ask)', () =>
      pendingSignInContractTests(factory, Math.max(5, Math.ceil((options.numRuns ?? 30) / 2))));
    describe('model-based', () => modelBasedTest(factory, options.numRuns ?? 30, timeout * 10));
    const { readBack } = options;
    if (readBack)
      describe('what the store persisted (read back)', () => readBackTests(factory, readBack));
    raceTests(factory, Math.max(5, Math.ceil((options.numRuns ?? 30) / 2)), timeout * 10);
    describe('challenge on a risky sign-in (issue 17)', () => challengeContractTests(factory));
    describe('refresh reuse grace (issue 17)', () =>
      refreshGraceContractTests(
        factory,
        Math.max(5, Math.ceil((options.numRuns ?? 30) / 2)),
        timeout * 10,
      ));
  });
}
