import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postgresMigration005Sql } from './schema-005.js';

describe('schema, migration 005', () => {
  it('migrations/005_refresh_grace_challenge.sql is exactly what ensurePostgresSchema() runs for the defaults', () => {
    const shipped = readFileSync(
      new URL('../migrations/005_refresh_grace_challenge.sql', import.meta.url),
      'utf8',
    );
    expect(shipped).toBe(postgresMigration005Sql());
  });
});
