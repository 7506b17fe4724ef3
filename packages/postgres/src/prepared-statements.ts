// Named (server-side prepared) statements for the store's single-statement
// calls. node-postgres parses a named statement once per connection and then
// sends only Bind/Execute, so PostgreSQL skips parsing and planning: on a
// primary-key lookup that is most of the server's work (measured: a named
// `SELECT … WHERE id = $1` ran at 1.4–1.7× the throughput of the same
// statement unnamed, docs/adapters/postgres.md "Benchmark").
import { createHash } from 'node:crypto';

/** SQLSTATEs saying the server does not hold (or cannot reuse) a statement the client prepared. */
const LOST_STATEMENT_CODES = new Set([
  '26000', // invalid_sql_statement_name: "prepared statement … does not exist" (transaction-mode pooler, DEALLOCATE ALL)
  '42P05', // duplicate_prepared_statement: another client prepared it on the pooler's server connection
  '0A000', // feature_not_supported: "cached plan must not change result type" (a migration changed a column)
]);

export interface StatementNames {
  /** The statement's name while naming is on, else undefined (unnamed statement). */
  nameOf(text: string): string | undefined;
  /**
   * True when `error` says the server lost a named statement: naming is then
   * turned off for good in this store (the caller resends unnamed). A pooler in
   * transaction mode without prepared-statement support hits this once.
   */
  giveUpOn(error: unknown): boolean;
}

export function createStatementNames(enabled: boolean): StatementNames {
  let naming = enabled;
  const names = new Map<string, string>();
  return {
    nameOf(text) {
      if (!naming) return undefined;
      let name = names.get(text);
      if (name === undefined) {
        // Named by a hash of the text: two stores on one pool with different
        // table prefixes never share a name (node-postgres refuses one name
        // used for two texts on a connection).
        name = `sessionkit_${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
        names.set(text, name);
      }
      return name;
    },
    giveUpOn(error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (!naming || typeof code !== 'string' || !LOST_STATEMENT_CODES.has(code)) return false;
      naming = false;
      console.warn(
        `[sessionkit] @sessionkit/postgres: the server refused a prepared statement (SQLSTATE ${code}); the store sends unnamed statements from now on. Behind a transaction-mode pooler without prepared-statement support, pass preparedStatements: false.`,
      );
      return true;
    },
  };
}
