import sift from 'sift';

// A test double for the few driver collection methods the store uses. Filters
// are evaluated by sift (MongoDB query semantics, as used inside mongoose);
// updates support exactly the operators the store issues and throw on anything
// else, so a new operator cannot slip by untested. Each call yields to the
// event loop once and then runs synchronously, which mimics MongoDB's
// single-document atomicity while letting concurrent callers interleave.
// It proves the store's logic; only the run against a real mongod
// (mongo-store.mongod.test.ts) proves the MongoDB semantics.

type Doc = { _id: string } & Record<string, unknown>;

export interface RecordedCall {
  op: string;
  filter: Record<string, unknown>;
  update?: unknown;
  options?: unknown;
}

export interface UniqueIndex {
  field: string;
  /** Partial index: only documents for which this holds are indexed. */
  when?: (doc: Doc) => boolean;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function duplicateKey(): Error {
  return Object.assign(new Error('E11000 duplicate key error (memory collection)'), {
    code: 11000,
  });
}

function comparable(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}

function compare(a: unknown, b: unknown): number {
  const x = comparable(a) as number | string;
  const y = comparable(b) as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function evaluate(expr: unknown, doc: Doc, now: Date): unknown {
  if (expr === '$$NOW') return new Date(now.getTime());
  if (typeof expr === 'string') return expr.startsWith('$') ? doc[expr.slice(1)] : expr;
  if (expr === null || typeof expr !== 'object' || expr instanceof Date) return expr;
  const [op, arg] = Object.entries(expr)[0] ?? [];
  const args = () => (arg as unknown[]).map((a) => evaluate(a, doc, now));
  switch (op) {
    case '$literal':
      return arg;
    case '$add': {
      const [a, b] = args();
      if (a instanceof Date) return new Date(a.getTime() + (b as number));
      return (a as number) + (b as number);
    }
    case '$lt': {
      const [a, b] = args();
      return compare(a, b) < 0;
    }
    case '$lte': {
      const [a, b] = args();
      return compare(a, b) <= 0;
    }
    case '$ifNull': {
      const [a, b] = args();
      return a ?? b;
    }
    case '$gt': {
      // A missing field sorts below every date and number, as in MongoDB.
      const [a, b] = args();
      if (a === undefined || a === null) return false;
      return compare(a, b) > 0;
    }
    case '$and':
      return args().every(Boolean);
    case '$cond': {
      const [condition, then, otherwise] = arg as unknown[];
      return evaluate(condition, doc, now)
        ? evaluate(then, doc, now)
        : evaluate(otherwise, doc, now);
    }
    default:
      throw new Error(`memory collection: unsupported expression ${String(op)}`);
  }
}

function applyUpdate(doc: Doc, update: unknown, now: Date): Doc {
  const next = structuredClone(doc);
  if (Array.isArray(update)) {
    for (const stage of update as Record<string, Record<string, unknown>>[]) {
      const [name, fields] = Object.entries(stage)[0] ?? [];
      if (name !== '$set' || !fields)
        throw new Error(`memory collection: unsupported stage ${name}`);
      const computed = Object.entries(fields).map(([k, e]) => [k, evaluate(e, next, now)] as const);
      for (const [k, v] of computed) next[k] = structuredClone(v);
    }
    return next;
  }
  for (const [op, fields] of Object.entries(update as Record<string, Record<string, unknown>>)) {
    for (const [key, value] of Object.entries(fields)) {
      if (key.includes('.')) throw new Error('memory collection: dotted paths are not supported');
      switch (op) {
        case '$set':
          next[key] = structuredClone(value);
          break;
        case '$max':
          if (next[key] === undefined || compare(next[key], value) < 0)
            next[key] = structuredClone(value);
          break;
        case '$push': {
          const { $each, $slice, ...rest } = value as { $each: unknown[]; $slice?: number };
          if (Object.keys(rest).length > 0) throw new Error('memory collection: unsupported $push');
          const list = [...((next[key] as unknown[]) ?? []), ...structuredClone($each)];
          next[key] =
            $slice === undefined ? list : $slice < 0 ? list.slice($slice) : list.slice(0, $slice);
          break;
        }
        default:
          throw new Error(`memory collection: unsupported update operator ${op}`);
      }
    }
  }
  return next;
}

export class MemoryCollection {
  readonly docs = new Map<string, Doc>();
  readonly calls: RecordedCall[] = [];

  /**
   * @param clock the server's clock, for `$$NOW` (tests may skew the app's
   *   clock against it).
   */
  constructor(
    private readonly uniques: readonly UniqueIndex[] = [],
    public clock: () => number = Date.now,
  ) {}

  private matching(filter: Record<string, unknown>): Doc[] {
    const test = sift(filter);
    return [...this.docs.values()].filter((doc) => test(doc));
  }

  private put(doc: Doc, replacing: string | null): void {
    if (replacing === null && this.docs.has(doc._id)) throw duplicateKey();
    for (const { field, when } of this.uniques) {
      if (doc[field] === undefined || (when && !when(doc))) continue;
      for (const other of this.docs.values()) {
        if (other._id === replacing || other._id === doc._id) continue;
        if ((!when || when(other)) && comparable(other[field]) === comparable(doc[field])) {
          throw duplicateKey();
        }
      }
    }
    this.docs.set(doc._id, doc);
  }

  private record(op: string, filter: unknown, update?: unknown, options?: unknown): void {
    this.calls.push({
      op,
      filter: structuredClone(filter) as Record<string, unknown>,
      update,
      options,
    });
  }

  private updateFirst(filter: Record<string, unknown>, update: unknown, upsert: boolean) {
    const doc = this.matching(filter)[0];
    if (doc) {
      const next = applyUpdate(doc, update, new Date(this.clock()));
      this.put(next, doc._id);
      return {
        before: doc,
        after: next,
        matched: 1,
        modified: JSON.stringify(next) === JSON.stringify(doc) ? 0 : 1,
      };
    }
    if (!upsert) return { before: null, after: null, matched: 0, modified: 0 };
    const base: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(filter)) {
      if (key.startsWith('$')) continue;
      const isOperator =
        typeof value === 'object' &&
        value !== null &&
        !(value instanceof Date) &&
        !Array.isArray(value);
      if (!isOperator) base[key] = value;
    }
    const inserted = applyUpdate(base as Doc, update, new Date(this.clock()));
    this.put(inserted, null);
    return { before: null, after: inserted, matched: 0, modified: 0 };
  }

  async insertOne(doc: Doc, options?: unknown) {
    this.record('insertOne', {}, doc, options);
    await tick();
    this.put(structuredClone(doc), null);
    return { acknowledged: true, insertedId: doc._id };
  }

  async findOne(filter: Record<string, unknown>, options?: unknown) {
    this.record('findOne', filter, undefined, options);
    await tick();
    const doc = this.matching(filter)[0];
    return doc ? structuredClone(doc) : null;
  }

  find(
    filter: Record<string, unknown>,
    options: { sort?: Record<string, 1 | -1>; limit?: number; skip?: number } = {},
  ) {
    this.record('find', filter, undefined, options);
    return {
      toArray: async () => {
        await tick();
        let docs = this.matching(filter);
        const sort = Object.entries(options.sort ?? {});
        if (sort.length > 0) {
          docs = docs.sort((a, b) => {
            for (const [key, dir] of sort) {
              const c = compare(a[key], b[key]);
              if (c !== 0) return c * dir;
            }
            return 0;
          });
        }
        if (options.skip) docs = docs.slice(options.skip);
        if (options.limit) docs = docs.slice(0, options.limit);
        return docs.map((doc) => structuredClone(doc));
      },
    };
  }

  async updateOne(
    filter: Record<string, unknown>,
    update: unknown,
    options: { upsert?: boolean } = {},
  ) {
    this.record('updateOne', filter, update, options);
    await tick();
    const result = this.updateFirst(filter, update, options.upsert === true);
    return { acknowledged: true, matchedCount: result.matched, modifiedCount: result.modified };
  }

  async updateMany(filter: Record<string, unknown>, update: unknown, options?: unknown) {
    this.record('updateMany', filter, update, options);
    await tick();
    let modified = 0;
    const docs = this.matching(filter);
    for (const doc of docs) {
      const next = applyUpdate(doc, update, new Date(this.clock()));
      this.put(next, doc._id);
      modified++;
    }
    return { acknowledged: true, matchedCount: docs.length, modifiedCount: modified };
  }

  async findOneAndUpdate(
    filter: Record<string, unknown>,
    update: unknown,
    options: { upsert?: boolean; returnDocument?: 'before' | 'after' } = {},
  ) {
    this.record('findOneAndUpdate', filter, update, options);
    await tick();
    const result = this.updateFirst(filter, update, options.upsert === true);
    const doc = options.returnDocument === 'after' ? result.after : result.before;
    return doc ? structuredClone(doc) : null;
  }

  async deleteOne(filter: Record<string, unknown>, options?: unknown) {
    this.record('deleteOne', filter, undefined, options);
    await tick();
    const doc = this.matching(filter)[0];
    if (doc) this.docs.delete(doc._id);
    return { acknowledged: true, deletedCount: doc ? 1 : 0 };
  }

  async deleteMany(filter: Record<string, unknown>, options?: unknown) {
    this.record('deleteMany', filter, undefined, options);
    await tick();
    const docs = this.matching(filter);
    for (const doc of docs) this.docs.delete(doc._id);
    return { acknowledged: true, deletedCount: docs.length };
  }
}
