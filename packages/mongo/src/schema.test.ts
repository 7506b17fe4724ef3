import { describe, expect, it } from 'vitest';
import { createDeviceSchema, createLockSchema, createSessionSchema } from './schema.js';

describe('sessions schema', () => {
  const schema = createSessionSchema('my_sessions');
  const indexes = schema.indexes();
  const byName = new Map(indexes.map(([keys, options]) => [options.name, { keys, options }]));

  it('declares exactly the indexes the contract names, plus the purgeAt TTL and the page orders', () => {
    expect(indexes.map(([keys]) => keys)).toEqual([
      { userId: 1 },
      { tokenHash: 1 },
      { refreshTokenHash: 1 },
      { status: 1 },
      { expiresAt: 1 },
      { purgeAt: 1 },
      { userId: 1, status: 1, lastActivityAt: -1 },
      { userId: 1, status: 1, expiresAt: -1, _id: -1 },
      { userId: 1, status: 1, endedAt: -1, _id: -1 },
      // cleanup()'s two branches
      { status: 1, lastActivityAt: 1 },
      { status: 1, expiresAt: 1 },
      // federated sign-out (issue 16): by (issuer, sid) and (issuer, subject)
      { 'origin.issuer': 1, 'origin.sid': 1, createdAt: 1, _id: 1 },
      { 'origin.issuer': 1, 'origin.subject': 1, createdAt: 1, _id: 1 },
    ]);
  });

  it('indexes only ACTIVE sessions that have an origin for federated sign-out (partial)', () => {
    expect(byName.get('origin_issuer_sid')?.options).toMatchObject({
      partialFilterExpression: { 'origin.sid': { $type: 'string' }, status: 'ACTIVE' },
    });
    expect(byName.get('origin_issuer_subject')?.options).toMatchObject({
      partialFilterExpression: { 'origin.subject': { $type: 'string' }, status: 'ACTIVE' },
    });
  });

  it('makes the token hash unique', () => {
    expect(byName.get('tokenHash_1')?.options).toMatchObject({ unique: true });
  });

  it('makes the refresh hash unique only among sessions that have one (partial, so null never collides)', () => {
    expect(byName.get('refreshTokenHash_1')?.options).toMatchObject({
      unique: true,
      partialFilterExpression: { refreshTokenHash: { $type: 'string' } },
    });
  });

  it('expires records by a TTL on purgeAt at the stored instant, and by expiresAt + the 90-day default retention at the latest', () => {
    expect(byName.get('purgeAt_ttl')?.options).toMatchObject({ expireAfterSeconds: 0 });
    expect(byName.get('expiresAt_ttl')?.options).toMatchObject({
      expireAfterSeconds: 90 * 86_400,
    });
    const ttl = indexes.filter(([, options]) => options.expireAfterSeconds !== undefined);
    expect(ttl.map(([keys]) => keys)).toEqual([{ expiresAt: 1 }, { purgeAt: 1 }]);
  });

  it('takes the expiresAt TTL from historyRetention (ms), rounded up to whole seconds', () => {
    const ttlOf = (ms: number) =>
      createSessionSchema('s', ms)
        .indexes()
        .find(([keys]) => 'expiresAt' in keys)?.[1].expireAfterSeconds;
    expect(ttlOf(7 * 86_400_000)).toBe(7 * 86_400);
    expect(ttlOf(1500)).toBe(2);
    expect(ttlOf(0)).toBe(0);
  });

  it('lists a user newest activity first from the compound index', () => {
    expect(byName.get('userId_1_status_1_lastActivityAt_-1')?.keys).toEqual({
      userId: 1,
      status: 1,
      lastActivityAt: -1,
    });
  });

  it('uses string ids, no version key, and the configured collection', () => {
    expect(schema.path('_id').instance).toBe('String');
    expect(schema.get('versionKey')).toBe(false);
    expect(schema.get('collection')).toBe('my_sessions');
  });
});

describe('lock schema', () => {
  it('garbage-collects abandoned leases with a TTL on lockedUntil', () => {
    const indexes = createLockSchema('my_sessions_locks').indexes();
    expect(indexes).toEqual([
      [{ lockedUntil: 1 }, expect.objectContaining({ expireAfterSeconds: 60 })],
    ]);
  });
});

describe('device schema', () => {
  it('indexes the owner and deletes an entry by a TTL on purgeAt', () => {
    const schema = createDeviceSchema('my_sessions_devices');
    expect(schema.indexes()).toEqual([
      [{ userId: 1 }, expect.objectContaining({ name: 'userId_1' })],
      [{ purgeAt: 1 }, expect.objectContaining({ name: 'purgeAt_ttl', expireAfterSeconds: 0 })],
    ]);
    expect(schema.path('_id').instance).toBe('String');
    expect(schema.get('collection')).toBe('my_sessions_devices');
  });
});
