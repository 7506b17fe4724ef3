import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { checkMetadata, MAX_METADATA_DEPTH } from './input.js';
import { createMemoryStore } from './memory-store.js';
import { createSessionManager } from './session-manager.js';

// Metadata keys that a store cannot keep as given are refused in core, so
// every store (memory, Redis, MongoDB) behaves the same.

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { next: value };
  return value;
}

describe('metadata keys', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a NUL in a key', { 'a\u0000b': 1 }],
    ['a DBRef shape', { $ref: 'users', $id: 1 }],
    ['a leading $ (operator)', { $gt: '' }],
    ['a nested $ key', { a: { b: { $where: 'x' } } }],
    ['a $ key inside an array', { list: [1, { $set: 2 }] }],
    ['a NUL key inside an array of arrays', { list: [[{ 'x\u0000': 1 }]] }],
  ])('refuses %s with InvalidInputError naming the key', (_, metadata) => {
    expect(() => checkMetadata('create', metadata)).toThrow(InvalidInputError);
    expect(() => checkMetadata('create', metadata)).toThrow(/metadata key/);
  });

  it('keeps dotted keys, `$` inside a key, and values that look like operators', () => {
    const metadata = { 'app.version': '1.2', price$: 3, note: '$gt', list: ['$ref'] };
    expect(checkMetadata('create', metadata)).toEqual(metadata);
  });

  it(`allows ${MAX_METADATA_DEPTH} levels of nesting and refuses more`, () => {
    expect(() => checkMetadata('create', nested(MAX_METADATA_DEPTH))).not.toThrow();
    expect(() => checkMetadata('create', nested(MAX_METADATA_DEPTH + 1))).toThrow(
      /nested more than/,
    );
    // Arrays count as levels too, and a deep array needs no recursion to check.
    let deep: unknown = 1;
    for (let i = 0; i < 2000; i++) deep = [deep];
    expect(() => checkMetadata('create', { deep })).toThrow(InvalidInputError);
  });

  it('the manager refuses such metadata before the store sees it', async () => {
    const manager = createSessionManager({ store: createMemoryStore() });
    await expect(
      manager.create({ userId: 'u1', metadata: { $ref: 'x', $id: 'y' } }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    const { session } = await manager.create({ userId: 'u1', metadata: { 'a.b': { c: 1 } } });
    expect(session.metadata).toEqual({ 'a.b': { c: 1 } });
  });
});
