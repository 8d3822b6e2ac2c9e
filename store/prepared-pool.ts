import type pg from 'pg';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { StatementNames } from './statement-names.js';

/**
 * The pg pool as Kysely's dialect expects it, with each statement that has parameters and runs
 * more than once sent as a named prepared statement: each connection parses and plans it once,
 * then binds and executes. The store's hot statements are long (an event from a known identity
 * is one statement of six parts), and parsing and planning them again on every event was
 * PostgreSQL CPU spent for nothing. pg parses a name on a connection only once it has parsed
 * without error there.
 *
 * A statement that fails in a way that can leave its name broken on a connection takes a new
 * name (StatementNames.run): every connection then parses it afresh on its next run.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new StatementNames();
  return {
    async connect() {
      const client = await pool.connect();
      return {
        query(text: unknown, values?: ReadonlyArray<unknown>) {
          // Kysely's streams pass a cursor object, not text: it goes back as pg returns it.
          if (typeof text !== 'string' || !values || values.length === 0)
            return client.query(text as string, values as unknown[]);
          return names.run(text, (name) =>
            name === undefined
              ? client.query(text, [...values])
              : client.query({ name, text, values: [...values] }),
          );
        },
        release: () => client.release(),
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}
