export {
  checkMongoIndexes,
  type MongoIndexProblem,
  type MongoIndexReport,
} from './indexes.js';
export type { MongoStoreOptions } from './models.js';
export { createMongoStore, ensureMongoIndexes } from './mongo-store.js';
