import type { mongo } from 'mongoose';
import { type CollectionStoreInput, createCollectionStore } from '../mongo-store.js';
import type { DeviceDoc, LockDoc, SessionDoc } from '../schema.js';
import { MemoryCollection } from './memory-collection.js';

/** The store over in-memory collection doubles, with the sessions collection's unique indexes. */
export function createStoreOnMemoryCollections(
  overrides: Pick<CollectionStoreInput, 'clock' | 'sleep' | 'timeout' | 'gate' | 'leaseMs'> & {
    /** The server's clock for `$$NOW`. @default overrides.clock, else Date.now */
    serverClock?: () => number;
  } = {},
) {
  const { serverClock, ...storeOverrides } = overrides;
  const server = serverClock ?? overrides.clock ?? Date.now;
  const sessions = new MemoryCollection(
    [
      { field: 'tokenHash' },
      { field: 'refreshTokenHash', when: (doc) => typeof doc.refreshTokenHash === 'string' },
    ],
    server,
  );
  const locks = new MemoryCollection([], server);
  const devices = new MemoryCollection([], server);
  const store = createCollectionStore({
    sessions: sessions as unknown as mongo.Collection<SessionDoc>,
    locks: locks as unknown as mongo.Collection<LockDoc>,
    devices: devices as unknown as mongo.Collection<DeviceDoc>,
    lockCollectionName: 'sessionkit_sessions_locks',
    ...storeOverrides,
  });
  return { store, sessions, locks, devices };
}
