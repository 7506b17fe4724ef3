import { InvalidInputError } from '@sessionkit/core';
import type { Connection, Model } from 'mongoose';
import { type MongoStoreOptions, resolveModels } from './models.js';

/** One index as MongoDB's `listIndexes` reports it (the fields compared here). */
interface ListedIndex {
  name: string;
  key: Record<string, unknown>;
  unique?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Record<string, unknown>;
}

export interface MongoIndexProblem {
  collection: string;
  /** The index sessionkit declares (by name). */
  index: string;
  kind: 'missing' | 'different';
  /** What is wrong, in words. */
  detail: string;
}

export interface MongoIndexReport {
  /** True when every index sessionkit needs exists as declared. */
  ok: boolean;
  problems: MongoIndexProblem[];
  /** Indexes on sessionkit's collections that it does not declare (`ensureMongoIndexes()` drops them). */
  extra: { collection: string; index: string }[];
}

/**
 * Waits for a connection that is still opening (the store's models do not
 * buffer commands); one that is closed or was never opened is an error.
 */
export async function whenOpen(connection: Connection, caller: string): Promise<void> {
  const state = connection.readyState as number;
  if (state === 1) return;
  if (state === 2) {
    await connection.asPromise();
    return;
  }
  throw new Error(
    `${caller}: the mongoose connection is not open (readyState ${state}); await mongoose.connect() (or connection.asPromise()) first.`,
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function describeKey(key: Record<string, unknown>): string {
  return JSON.stringify(key);
}

async function listIndexes(model: Model<never>): Promise<ListedIndex[]> {
  try {
    return (await model.collection.listIndexes().toArray()) as unknown as ListedIndex[];
  } catch (error) {
    // NamespaceNotFound: the collection does not exist yet, so no index does.
    if ((error as { code?: unknown }).code === 26) return [];
    throw error;
  }
}

async function checkModel(model: Model<never>, report: MongoIndexReport): Promise<void> {
  const collection = model.collection.collectionName;
  const existing = await listIndexes(model);
  const declared = model.schema.indexes();
  const declaredNames = new Set<string>(['_id_']);
  for (const [key, options] of declared) {
    const name = String(options.name);
    declaredNames.add(name);
    const byName = existing.find((index) => index.name === name);
    const byKey = existing.find((index) => same(index.key, key));
    const found = byName ?? byKey;
    if (!found) {
      report.problems.push({
        collection,
        index: name,
        kind: 'missing',
        detail: `index '${name}' ${describeKey(key)} is missing`,
      });
      continue;
    }
    const differences: string[] = [];
    if (found.name !== name) differences.push(`it exists as '${found.name}'`);
    if (!same(found.key, key)) {
      differences.push(`key ${describeKey(found.key)} instead of ${describeKey(key)}`);
    }
    if (Boolean(found.unique) !== Boolean(options.unique)) {
      differences.push(options.unique ? 'it is not unique' : 'it is unique');
    }
    if (found.expireAfterSeconds !== options.expireAfterSeconds) {
      differences.push(
        `expireAfterSeconds ${String(found.expireAfterSeconds ?? 'none')} instead of ${String(options.expireAfterSeconds ?? 'none')}`,
      );
    }
    if (!same(found.partialFilterExpression, options.partialFilterExpression)) {
      differences.push('its partialFilterExpression differs');
    }
    if (differences.length > 0) {
      report.problems.push({
        collection,
        index: name,
        kind: 'different',
        detail: `index '${name}' ${describeKey(key)} differs: ${differences.join('; ')}`,
      });
    }
  }
  for (const index of existing) {
    if (!declaredNames.has(index.name)) report.extra.push({ collection, index: index.name });
  }
}

/**
 * Compares the indexes that exist on the sessions, lock and device
 * collections (`listIndexes`) with the ones the store needs, and reports what
 * is missing or different. With mongoose's `autoIndex`, a failed index build
 * is silent (mongoose swallows it): for example an `expiresAt` TTL built with
 * another `historyRetention` leaves the store running without its TTL
 * backstop. Run this at boot or in a health check; `throwIfInvalid: true` (as
 * `ensureMongoIndexes()` does) throws `InvalidInputError` naming the fix.
 *
 * @example
 * ```ts
 * const report = await checkMongoIndexes({ connection: mongoose.connection });
 * if (!report.ok) console.error(report.problems);
 * ```
 */
export async function checkMongoIndexes(
  options: MongoStoreOptions & { throwIfInvalid?: boolean } = {},
): Promise<MongoIndexReport> {
  const { sessions, locks, devices } = resolveModels(options);
  await whenOpen(sessions.db, 'checkMongoIndexes()');
  const report: MongoIndexReport = { ok: true, problems: [], extra: [] };
  for (const model of [sessions, locks, devices]) {
    await checkModel(model as unknown as Model<never>, report);
  }
  report.ok = report.problems.length === 0;
  if (!report.ok && options.throwIfInvalid) {
    throw new InvalidInputError(
      `checkMongoIndexes(): sessionkit's indexes are not as the store needs them: ${report.problems
        .map((p) => `${p.collection}: ${p.detail}`)
        .join(
          '. ',
        )}. Fix: run ensureMongoIndexes() with the same options as createMongoStore() (the same historyRetention on every instance); it rebuilds these indexes. If it cannot (e.g. another app instance keeps re-creating an index with another historyRetention), drop the named index by hand and run it again.`,
    );
  }
  return report;
}
