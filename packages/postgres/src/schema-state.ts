// Whether every shipped migration step is already applied, read from the
// catalog without taking any lock. `ensurePostgresSchema` runs the DDL only
// when something is missing: `ALTER TABLE … ADD COLUMN IF NOT EXISTS` takes an
// ACCESS EXCLUSIVE lock on the sessions table even when the column exists, so
// running the steps at every start-up made each new server (a serverless cold
// start, a second app instance) block every session read for as long as the
// lock waited on open transactions — long enough for `validate()` to hit its
// timeout and sign users out.
import type { PgQueryable } from './pool.js';

/** What the migration steps create: relations (tables, indexes) and added columns. */
export interface SchemaObjects {
  /** Unquoted relation names (tables and indexes) in the store's schema. */
  relations: string[];
  /** `[table, column]` pairs added by `ALTER TABLE … ADD COLUMN IF NOT EXISTS`. */
  columns: [string, string][];
}

/**
 * The objects a list of step SQL texts creates, read off the SQL itself so that
 * the check cannot drift from the steps (each step names its objects as
 * `"schema"."name"` for tables and `"name"` for indexes).
 */
export function schemaObjectsOf(sqls: readonly string[]): SchemaObjects {
  const relations = new Set<string>();
  const columns: [string, string][] = [];
  for (const sql of sqls) {
    for (const m of sql.matchAll(/CREATE TABLE IF NOT EXISTS "[^"]+"\."([^"]+)"/g)) {
      relations.add(m[1] as string);
    }
    for (const m of sql.matchAll(/CREATE INDEX IF NOT EXISTS "([^"]+)"/g)) {
      relations.add(m[1] as string);
    }
    for (const m of sql.matchAll(
      /ALTER TABLE "[^"]+"\."([^"]+)" ADD COLUMN IF NOT EXISTS ([a-z_][a-z0-9_]*)/g,
    )) {
      columns.push([m[1] as string, m[2] as string]);
    }
  }
  return { relations: [...relations], columns };
}

/** True when every relation and added column of `objects` exists in `schema` (no locks taken). */
export async function schemaHasObjects(
  pool: PgQueryable,
  schema: string,
  objects: SchemaObjects,
): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT
       (SELECT count(DISTINCT c.relname)::int FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = ANY($2::text[])) AS relations,
       (SELECT count(*)::int FROM unnest($3::text[], $4::text[]) AS wanted(tbl, col)
          WHERE EXISTS (SELECT 1 FROM pg_attribute a
                          JOIN pg_class c ON c.oid = a.attrelid
                          JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = $1 AND c.relname = wanted.tbl
                           AND a.attname = wanted.col AND NOT a.attisdropped)) AS columns`,
    [
      schema,
      objects.relations,
      objects.columns.map(([table]) => table),
      objects.columns.map(([, column]) => column),
    ],
  );
  const row = rows[0] as { relations: number; columns: number } | undefined;
  return row?.relations === objects.relations.length && row.columns === objects.columns.length;
}
