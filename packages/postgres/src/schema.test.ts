import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { postgresMigrations, postgresSchemaSql, tableNames } from './schema.js';

const dir = new URL('../migrations/', import.meta.url);

describe('schema', () => {
  it('each shipped migrations/NNN_*.sql is exactly its entry in schema.ts, and they pair up one to one', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
    const migrations = postgresMigrations();
    expect(files.sort()).toEqual(migrations.map((m) => `${m.id}.sql`));
    for (const m of migrations) {
      // On a mismatch: `pnpm --filter @sessionkit/postgres migrations` rewrites the files.
      expect(readFileSync(new URL(`${m.id}.sql`, dir), 'utf8'), m.id).toBe(m.sql);
    }
    expect(migrations.map((m) => m.id)).toEqual(
      migrations.map((_, i) =>
        expect.stringMatching(new RegExp(`^${String(i + 1).padStart(3, '0')}_[a-z0-9_]+$`)),
      ),
    );
  });

  it('ensurePostgresSchema() runs every migration in order (postgresSchemaSql is them joined)', () => {
    expect(postgresSchemaSql({ schema: 'auth' })).toBe(
      postgresMigrations({ schema: 'auth' })
        .map((m) => m.sql)
        .join('\n'),
    );
  });

  it('refuses a schema or prefix that is not a plain identifier (they are interpolated into SQL)', () => {
    for (const bad of ['x"; DROP TABLE users; --', 'Public', '1abc', 'a b', 'a$1', 'ü']) {
      expect(() => tableNames({ schema: bad })).toThrow(/not a plain identifier/);
      expect(() => tableNames({ tablePrefix: bad })).toThrow(/not a plain identifier/);
    }
    expect(tableNames({ schema: 'auth', tablePrefix: '' }).sessions).toBe('"auth"."sessions"');
  });
});
