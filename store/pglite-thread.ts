import { Worker } from 'node:worker_threads';
import { StatementNames } from './statement-names.js';

/** What the pool needs of the embedded database: PGlite on its own thread (openPgliteThread). */
export interface EmbeddedDatabase {
  query<R>(
    sql: string,
    params: unknown[],
  ): Promise<{ rows: R[]; affectedRows?: number | undefined }>;
  close(): Promise<void>;
}

interface PlainError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, string | number | boolean | null>;
}

type Answer =
  { id: number; rows: unknown[]; affectedRows?: number } | { id: number; error: PlainError };

/** The thread's error as the caller's: the same name, message and fields (SQLSTATE, severity). */
function rebuilt(plain: PlainError): Error {
  const error = Object.assign(new Error(plain.message), plain.fields);
  error.name = plain.name;
  if (plain.stack) error.stack = plain.stack;
  return error;
}

/**
 * Opens PGlite in `dir` on a worker thread (store/pglite-thread-worker.mjs), so its WebAssembly
 * statements run beside the hub's event loop instead of on it. The thread keeps the process alive
 * only while a statement is pending: a command that never closes its store still exits. A
 * statement with parameters that runs again is prepared under a name (store/statement-names.ts,
 * store/pglite-prepared.mjs).
 */
export async function openPgliteThread(dir: string): Promise<EmbeddedDatabase> {
  const worker = new Worker(new URL('./pglite-thread-worker.mjs', import.meta.url), {
    workerData: { dir },
  });
  const pending = new Map<
    number,
    { resolve: (answer: Answer) => void; reject: (e: Error) => void }
  >();
  let nextId = 0;
  let gone: Error | undefined;
  const names = new StatementNames();

  const rejectPending = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    worker.unref();
  };
  const settleAll = (error: Error) => {
    gone ??= error;
    rejectPending(error);
  };
  worker.on('error', (error) => settleAll(error));
  worker.on('exit', (code) => settleAll(new Error(`the PGlite thread exited (code ${code})`)));
  // An answer that could not be read here: the one statement in flight (the pool lends the
  // session to one caller at a time) has lost its answer, so it fails rather than waits.
  worker.on('messageerror', (error) => rejectPending(error));

  await new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { ready: boolean; error?: PlainError }) => {
      if (message.ready) resolve();
      else reject(rebuilt(message.error!));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the PGlite thread exited (code ${code}) before it opened the database`)),
    );
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  worker.on('message', (answer: Answer) => {
    const waiter = pending.get(answer.id);
    if (!waiter) return;
    pending.delete(answer.id);
    if (pending.size === 0) worker.unref();
    if ('error' in answer) waiter.reject(rebuilt(answer.error));
    else waiter.resolve(answer);
  });
  worker.unref();

  const ask = (message: Record<string, unknown>) =>
    new Promise<Answer>((resolve, reject) => {
      if (gone) return reject(gone);
      const id = nextId++;
      try {
        // Throws at once for a value the thread cannot be sent (a function, a symbol).
        worker.postMessage({ ...message, id });
      } catch (error) {
        return reject(error instanceof Error ? error : new Error(String(error)));
      }
      pending.set(id, { resolve, reject });
      worker.ref();
    });

  let closing: Promise<void> | undefined;
  return {
    async query<R>(sql: string, params: unknown[]) {
      const answer = (await (params.length > 0
        ? names.run(sql, (name) => ask({ sql, params, name }))
        : ask({ sql, params }))) as { rows: R[]; affectedRows?: number };
      return { rows: answer.rows, affectedRows: answer.affectedRows };
    },
    close() {
      closing ??= (async () => {
        if (gone) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        await ask({ close: true });
        // The answer left the thread unreferenced; hold the process until PGlite has shut down.
        worker.ref();
        await exited;
      })();
      return closing;
    },
  };
}
