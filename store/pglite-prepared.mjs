// Prepared statements for PGlite, whose query() parses, analyzes and plans every statement anew
// (an unnamed statement each time). The store's hot statements are long (an event from a known
// identity is one statement of six parts): measured in PGlite, planning took about 1 ms and
// execution 0.6 ms of its 2.6 ms. A statement the main thread names (store/statement-names.ts)
// is parsed once per session under that name, then bound and executed; PostgreSQL keeps its
// plan (a generic one once that costs no more than the custom plans did). Plain JavaScript:
// loaded by the PGlite thread's module.
import { parse, protocol } from '@electric-sql/pglite';

/**
 * A query(sql, params, name) for `db`: with a name (StatementNames, on the main thread, decides
 * which statements get one), the statement is prepared under it once per session and then bound
 * and executed; without one it runs as PGlite's own query() runs it. Its caller runs one
 * statement at a time (the PGlite thread answers messages in turn), which is what lets these
 * exchanges go without PGlite's query mutex.
 */
export function preparedQuery(db) {
  /** Statement name → the parameter types PostgreSQL inferred when it was prepared. */
  const prepared = new Map();

  async function prepare(name, sql) {
    // Parse, describe and sync in one exchange; an error is thrown after the sync, so the
    // session is ready for the next statement and nothing is kept under the name.
    const { messages } = await db.execProtocol(
      concat([
        protocol.serialize.parse({ name, text: sql }),
        protocol.serialize.describe({ type: 'S', name }),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const types = parse.parseDescribeStatementResults(messages);
    prepared.set(name, types);
    return types;
  }

  return async function query(sql, params, name) {
    if (name === undefined) return db.query(sql, params);
    const types = prepared.get(name) ?? (await prepare(name, sql));
    // Values serialized as PGlite's own query() does: by the type of each parameter.
    const values = params.map((value, i) =>
      value === null || value === undefined ? null : (db.serializers[types[i]] ?? String)(value),
    );
    const { messages } = await db.execProtocol(
      concat([
        protocol.serialize.bind({ statement: name, values }),
        protocol.serialize.describe({ type: 'P' }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
    );
    return parse.parseResults(messages, db.parsers)[0];
  };
}

function concat(parts) {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}
