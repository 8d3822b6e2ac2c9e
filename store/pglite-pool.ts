import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type { EmbeddedDatabase } from './pglite-thread.js';

type Command = PostgresQueryResult<unknown>['command'];
const COMMANDS = new Set<Command>(['UPDATE', 'DELETE', 'INSERT', 'SELECT', 'MERGE']);

/**
 * Presents the embedded PGlite database as the pool Kysely's Postgres dialect expects. PGlite is
 * a single session, so a connection is held exclusively from connect() to release(): a
 * transaction never interleaves with another caller's statements.
 */
export function pglitePool(db: EmbeddedDatabase): PostgresPool {
  let tail: Promise<void> = Promise.resolve();

  return {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => (release = resolve));
      await previous;
      const client = {
        async query<R>(
          sql: string,
          parameters: ReadonlyArray<unknown>,
        ): Promise<PostgresQueryResult<R>> {
          const result = await db.query<R>(sql, [...parameters]);
          const keyword = sql.trimStart().split(/\s/, 1)[0]?.toUpperCase() as Command;
          return {
            command: COMMANDS.has(keyword) ? keyword : 'SELECT',
            rowCount: result.affectedRows ?? result.rows.length,
            rows: result.rows,
          };
        },
        release,
      };
      return client as PostgresPoolClient;
    },
    async end() {
      await tail;
      await db.close();
    },
  };
}
