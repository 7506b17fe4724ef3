import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pendingSignInSchemaSql } from './pending-schema.js';
import { postgresSchemaSql, tableNames } from './schema.js';

describe('schema', () => {
  it('migrations/001_init.sql is exactly the DDL ensurePostgresSchema() runs for the defaults', () => {
    const shipped = readFileSync(new URL('../migrations/001_init.sql', import.meta.url), 'utf8');
    expect(shipped).toBe(postgresSchemaSql());
  });

  it('migrations/004_pending_sign_ins.sql is exactly the held sign-ins DDL for the defaults', () => {
    const shipped = readFileSync(
      new URL('../migrations/004_pending_sign_ins.sql', import.meta.url),
      'utf8',
    );
    expect(shipped).toBe(pendingSignInSchemaSql());
  });

  it('refuses a schema or prefix that is not a plain identifier (they are interpolated into SQL)', () => {
    for (const bad of ['x"; DROP TABLE users; --', 'Public', '1abc', 'a b', 'a$1', 'ü']) {
      expect(() => tableNames({ schema: bad })).toThrow(/not a plain identifier/);
      expect(() => tableNames({ tablePrefix: bad })).toThrow(/not a plain identifier/);
    }
    expect(tableNames({ schema: 'auth', tablePrefix: '' }).sessions).toBe('"auth"."sessions"');
  });
});
