// Writes migrations/<id>.sql from the built package's postgresMigrations() (the
// one source, src/schema.ts). Run through `pnpm --filter @sessionkit/postgres
// migrations`, which builds first; schema.test.ts fails while a file differs.
import { writeFileSync } from 'node:fs';
import { postgresMigrations } from '../dist/index.js';

for (const { id, sql } of postgresMigrations()) {
  writeFileSync(new URL(`../migrations/${id}.sql`, import.meta.url), sql);
  console.log(`migrations/${id}.sql`);
}
