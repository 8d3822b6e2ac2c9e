// The embedded PGlite database, on a thread of its own (store/pglite-thread.ts starts it).
// PGlite runs PostgreSQL compiled to WebAssembly, synchronously, on whatever thread calls it: on
// the hub's main thread every statement held up every webhook behind it. Plain JavaScript, not
// TypeScript: a worker thread loads its file with none of tsx's, vitest's or the CLI bundle's
// transforms.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { preparedQuery } from './pglite-prepared.mjs';

/** An error as plain fields: structured clone keeps an Error's message but not its SQLSTATE. */
function plainError(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields = {};
  for (const [key, value] of Object.entries(error))
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value))
      fields[key] = value;
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

let db;
let query;
try {
  db = await PGlite.create(workerData.dir);
  query = preparedQuery(db);
  parentPort.postMessage({ ready: true });
} catch (error) {
  parentPort.postMessage({ ready: false, error: plainError(error) });
}

// One message at a time, in the order they came: the pool on the other side lends the one
// session to one caller at a time, and a prepared statement's exchanges must not interleave.
let turn = Promise.resolve();
parentPort.on('message', (message) => {
  // answer() reports its own failures; a throw past it must not end the thread unanswered.
  turn = turn.then(() => answer(message)).catch(() => undefined);
});

async function answer(message) {
  if (message.close) {
    try {
      await db?.close();
      parentPort.postMessage({ id: message.id, rows: [], affectedRows: 0 });
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: plainError(error) });
    }
    parentPort.close();
    return;
  }
  try {
    const result = await query(message.sql, message.params, message.name);
    parentPort.postMessage({
      id: message.id,
      rows: result.rows,
      affectedRows: result.affectedRows,
    });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: plainError(error) });
  }
}
