import type { Connection } from 'jsforce';
import { ConnectorError } from '../errors.js';
import type { SalesforceSession } from './sdk.js';

/**
 * Bulk API 2.0 ingest jobs, and the CSV they take and give. Member names and properties are
 * theirs to choose: every value goes through csvField, which quotes it, so commas, quotes and
 * line breaks stay inside their cell.
 */

/** Bulk API 2.0 reads `#N/A` as "set this field to null"; an empty cell leaves it unchanged. */
export const CSV_NULL = '#N/A';

/** One cell: empty stays empty (no change); anything else is quoted, its quotes doubled. */
export function csvField(value: string | null | undefined): string {
  if (value === undefined) return '';
  if (value === null || value === '') return CSV_NULL;
  return `"${value.replace(/"/g, '""')}"`;
}

/** A CSV document with LF line endings (the job's lineEnding) and a header row of `columns`. */
export function toCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, string | null | undefined>>[],
): string {
  // API names (letters, digits, _) need no quoting; the values do.
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column])).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Parses RFC 4180 CSV (comma-separated, quoted fields with doubled quotes, LF or CRLF) into
 * records keyed by the header row. Salesforce quotes every field of its result files.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (char === '"') quoted = false;
      else field += char;
      i += 1;
      continue;
    }
    if (char === '"') quoted = true;
    else if (char === ',') endField();
    else if (char === '\n') endRow();
    else if (char === '\r' && text[i + 1] === '\n') {
      endRow();
      i += 1;
    } else field += char;
    i += 1;
  }
  if (quoted) throw new Error('CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  const [header, ...records] = rows;
  if (!header) return [];
  return records.map((values) =>
    Object.fromEntries(header.map((name, index) => [name, values[index] ?? ''])),
  );
}

/** Bulk API 2.0 states an ingest job passes through (JobInfo.state). */
export type JobState =
  'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface BulkJobResult {
  jobId: string;
  state: JobState;
  /** Set when the job Failed: Salesforce's reason for the whole job. */
  errorMessage?: string | undefined;
  /** Rows of successfulResults: sf__Id, sf__Created, then the uploaded columns. */
  successful: Record<string, string>[];
  /** Rows of failedResults: sf__Id, sf__Error, then the uploaded columns. */
  failed: Record<string, string>[];
  /** Rows of unprocessedrecords (a job that failed or was aborted part way): the uploaded columns. */
  unprocessed: Record<string, string>[];
}

export interface BulkOptions {
  /**
   * The longest pause between reads of a closed job's state; 2 s by default. The first pause is
   * a fortieth of it (50 ms) and doubles from there: a small job is done in well under a second,
   * and starting at 50 ms rather than 250 ms costs about two more reads a job, little of the
   * org's daily API allocation (a job that takes 5 s is read 8 times, not 6).
   */
  pollIntervalMs?: number | undefined;
  /** How long a job may take before townhall stops waiting for it; 30 min by default. */
  pollTimeoutMs?: number | undefined;
}

interface JobInfo {
  id: string;
  state: JobState;
  errorMessage?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One upsert job through jsforce's Bulk API 2.0 client: create it (operation upsert by
 * `externalIdField`, CSV, LF), upload the CSV (PUT .../batches), close it (UploadComplete),
 * poll until JobComplete, Failed or Aborted, then read the result files. Each step is its own
 * call, so an expired session is signed in again between them.
 */
export async function runUpsertJob(
  session: SalesforceSession,
  job: { object: string; externalIdField: string; csv: string },
  options: BulkOptions = {},
): Promise<BulkJobResult> {
  const interval = options.pollIntervalMs ?? 2_000;
  const deadline = Date.now() + (options.pollTimeoutMs ?? 30 * 60_000);
  const ingest = (conn: Connection) => conn.bulk2;

  const created = await session.call('bulk job create', async (conn) => {
    const ingestJob = ingest(conn).createJob({
      object: job.object,
      operation: 'upsert',
      externalIdFieldName: job.externalIdField,
      contentType: 'CSV',
      lineEnding: 'LF',
    });
    const info = (await ingestJob.open()) as unknown as JobInfo;
    return info.id;
  });
  const handle = (conn: Connection) => ingest(conn).job('ingest', { id: created });

  await session.call('bulk job upload', (conn) => handle(conn).uploadData(job.csv));
  await session.call('bulk job close', (conn) => handle(conn).close());

  let info: JobInfo;
  let pause = interval / 40;
  for (;;) {
    info = await session.call(
      'bulk job state',
      async (conn) => (await handle(conn).check()) as unknown as JobInfo,
    );
    if (info.state === 'JobComplete' || info.state === 'Failed' || info.state === 'Aborted') break;
    if (Date.now() > deadline)
      throw new ConnectorError(
        'unavailable',
        `Salesforce bulk job ${created} is still ${info.state}; townhall stopped waiting`,
        { vendor: 'salesforce' },
      );
    await sleep(pause);
    pause = Math.min(interval, pause * 2);
  }

  // Raw CSV (jsforce's own parser accepts six delimiters at once): parsed here, comma only.
  const read = (what: 'successfulResults' | 'failedResults' | 'unprocessedrecords') =>
    session.call(`bulk job ${what}`, async (conn) => {
      const ingestJob = handle(conn);
      const raw =
        what === 'successfulResults'
          ? await ingestJob.getSuccessfulResults(true)
          : what === 'failedResults'
            ? await ingestJob.getFailedResults(true)
            : await ingestJob.getUnprocessedRecords(true);
      return parseCsv(typeof raw === 'string' ? raw : '');
    });
  const successful = await read('successfulResults');
  const failed = await read('failedResults');
  const unprocessed = info.state === 'JobComplete' ? [] : await read('unprocessedrecords');
  return {
    jobId: created,
    state: info.state,
    ...(info.errorMessage ? { errorMessage: info.errorMessage } : {}),
    successful,
    failed,
    unprocessed,
  };
}

/** The code of a failedResults row: sf__Error is `CODE:message:fields --`. */
export function errorCodeOf(sfError: string): string {
  const colon = sfError.indexOf(':');
  return (colon < 0 ? sfError : sfError.slice(0, colon)).trim() || 'UNKNOWN';
}
