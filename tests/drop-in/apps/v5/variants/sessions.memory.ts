// The first case: a memory store only (nothing that fails the Edge
// build), so the build passes and the Edge runtime is caught at run time.
import { createMemoryStore, createSessionManager } from '@sessionkit/core';

export const manager = createSessionManager({ store: createMemoryStore(), trustProxy: 1 });
