export type { MongoStoreOptions } from './models.js';
export { createMongoStore, ensureMongoIndexes } from './mongo-store.js';
