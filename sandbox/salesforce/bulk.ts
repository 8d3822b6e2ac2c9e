import type { Request, Response } from 'express';
import express from 'express';
import { CsvError, DELIMITERS, parseCsv, writeCsv } from './csv.js';
import { idMaker, notFound, sendError, versionOf } from './http.js';
import type { Org } from './org.js';
import { duplicateKeys } from './rest.js';

type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface IngestJob {
  id: string;
  object: string;
  operation: 'upsert';
  externalIdFieldName: string;
  columnDelimiter: string;
  lineEnding: 'LF' | 'CRLF';
  apiVersion: number;
  createdDate: string;
  systemModstamp: string;
  state: JobState;
  errorMessage?: string;
  csv?: string;
  header: string[];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  timers: NodeJS.Timeout[];
}

/** Bulk API 2.0 processes ingest data in chunks of this many records, each its own transaction. */
const CHUNK = 200;
/** Bulk API 2.0 takes up to 150 MB of CSV per job. */
const MAX_UPLOAD = '150mb';
/** Bulk API 2.0 writes `#N/A` for "set to null"; an empty cell leaves the field as it is. */
const NULL_VALUE = '#N/A';

const stamp = () => new Date().toISOString().replace('Z', '+0000');

/**
 * Bulk API 2.0 ingest jobs for upserts: create, upload CSV once, close (UploadComplete), then
 * the job moves to InProgress and JobComplete (or Failed) on its own, after `processingMs` each;
 * successfulResults, failedResults and unprocessedrecords are CSV with Salesforce's sf__ columns.
 */
export function bulkRoutes(org: Org, options: { processingMs: number }) {
  const jobs = new Map<string, IngestJob>();
  const newId = idMaker('750');
  const router = express.Router({ mergeParams: true });

  const info = (job: IngestJob) => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: '005000000000001AAA',
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    externalIdFieldName: job.externalIdFieldName,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
    numberRecordsProcessed: job.successful.length + job.failed.length,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  });

  function jobOf(req: Request, res: Response): IngestJob | undefined {
    const job = jobs.get(String(req.params.id));
    if (!job) notFound(res);
    return job;
  }

  function setState(job: IngestJob, state: JobState): void {
    job.state = state;
    job.systemModstamp = stamp();
  }

  /** Processes the uploaded CSV the way Salesforce does: header first, then rows in chunks. */
  function process(job: IngestJob): void {
    let rows: string[][];
    try {
      rows = parseCsv(job.csv ?? '', DELIMITERS[job.columnDelimiter] ?? ',', job.lineEnding);
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      job.errorMessage = `ClientInputError : ${error.message}`;
      return setState(job, 'Failed');
    }
    const [header = [], ...data] = rows;
    job.header = header;
    const unknown = header.find((name) => !org.field(name));
    const hasKey = header.some(
      (name) => name.toLowerCase() === job.externalIdFieldName.toLowerCase(),
    );
    if (unknown !== undefined || !hasKey) {
      job.errorMessage =
        unknown !== undefined
          ? `InvalidBatch : Field name not found : ${unknown}`
          : `InvalidBatch : Field name not provided: ${job.externalIdFieldName}`;
      job.unprocessed = data;
      return setState(job, 'Failed');
    }
    for (let start = 0; start < data.length; start += CHUNK) {
      const chunk = data.slice(start, start + CHUNK);
      const records = chunk.map((row) => {
        const values: Record<string, string | null> = {};
        header.forEach((name, i) => {
          const cell = row[i] ?? '';
          if (cell === '') return;
          values[name] = cell === NULL_VALUE ? null : cell;
        });
        return values;
      });
      const duplicates = duplicateKeys(records, job.externalIdFieldName);
      records.forEach((values, i) => {
        const row = chunk[i]!;
        const original = header.map((_, c) => row[c] ?? '');
        const result = org.upsert(job.externalIdFieldName, values, duplicates);
        if (result.success) job.successful.push([result.id, String(result.created), ...original]);
        else
          job.failed.push([
            '',
            result.errors
              .map((e) => `${e.errorCode}:${e.message}:${(e.fields ?? []).join(',')} --`)
              .join(' '),
            ...original,
          ]);
      });
    }
    setState(job, 'JobComplete');
  }

  router.post('/jobs/ingest', express.json(), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.object !== org.object) {
      sendError(
        res,
        400,
        'INVALIDENTITY',
        `Entity '${String(body.object)}' is not supported by the Bulk API.`,
      );
      return;
    }
    if (body.operation !== 'upsert') {
      sendError(
        res,
        400,
        'API_ERROR',
        `The sandbox runs upsert jobs only, not ${String(body.operation)}`,
      );
      return;
    }
    const key =
      typeof body.externalIdFieldName === 'string'
        ? org.field(body.externalIdFieldName)
        : undefined;
    if (!key?.externalId) {
      sendError(
        res,
        400,
        'INVALIDJOB',
        'InvalidJob : External ID was blank or not an External ID field',
      );
      return;
    }
    const delimiter = typeof body.columnDelimiter === 'string' ? body.columnDelimiter : 'COMMA';
    const lineEnding = body.lineEnding ?? 'LF';
    if (!(delimiter in DELIMITERS) || (lineEnding !== 'LF' && lineEnding !== 'CRLF')) {
      sendError(res, 400, 'INVALIDJOB', 'InvalidJob : unsupported columnDelimiter or lineEnding');
      return;
    }
    if ((body.contentType ?? 'CSV') !== 'CSV') {
      sendError(res, 400, 'INVALIDJOB', 'InvalidJob : contentType must be CSV');
      return;
    }
    const now = stamp();
    const job: IngestJob = {
      id: newId(),
      object: org.object,
      operation: 'upsert',
      externalIdFieldName: key.name,
      columnDelimiter: delimiter,
      lineEnding,
      apiVersion: Number(versionOf(req).slice(1)),
      createdDate: now,
      systemModstamp: now,
      state: 'Open',
      header: [],
      successful: [],
      failed: [],
      unprocessed: [],
      timers: [],
    };
    jobs.set(job.id, job);
    res.json(info(job));
  });

  router.put(
    '/jobs/ingest/:id/batches',
    express.text({ type: () => true, limit: MAX_UPLOAD }),
    (req, res) => {
      const job = jobOf(req, res);
      if (!job) return;
      if (!(req.get('content-type') ?? '').startsWith('text/csv')) {
        sendError(res, 400, 'INVALIDJOB', 'InvalidJob : data must be sent as text/csv');
        return;
      }
      if (job.state !== 'Open' || job.csv !== undefined) {
        sendError(res, 409, 'INVALIDJOBSTATE', `Job ${job.id} takes data once, while Open`);
        return;
      }
      job.csv = typeof req.body === 'string' ? req.body : '';
      res.status(201).end();
    },
  );

  router.patch('/jobs/ingest/:id', express.json(), (req, res) => {
    const job = jobOf(req, res);
    if (!job) return;
    const state = (req.body as { state?: unknown } | undefined)?.state;
    if (state === 'Aborted' && (job.state === 'Open' || job.state === 'UploadComplete')) {
      job.timers.forEach(clearTimeout);
      setState(job, 'Aborted');
    } else if (state === 'UploadComplete' && job.state === 'Open') {
      setState(job, 'UploadComplete');
      job.timers.push(
        setTimeout(() => {
          setState(job, 'InProgress');
          job.timers.push(setTimeout(() => process(job), options.processingMs));
        }, options.processingMs),
      );
    } else {
      sendError(
        res,
        400,
        'INVALIDJOBSTATE',
        `Job ${job.id} is ${job.state}; it cannot become ${String(state)}`,
      );
      return;
    }
    res.json(info(job));
  });

  router.get('/jobs/ingest/:id', (req, res) => {
    const job = jobOf(req, res);
    if (job) res.json(info(job));
  });

  const results =
    (what: (job: IngestJob) => string[][], columns: (job: IngestJob) => string[]) =>
    (req: Request, res: Response) => {
      const job = jobOf(req, res);
      if (!job) return;
      res.type('text/csv').send(writeCsv([columns(job), ...what(job)]));
    };
  router.get(
    ['/jobs/ingest/:id/successfulResults', '/jobs/ingest/:id/successfulResults/'],
    results(
      (job) => job.successful,
      (job) => ['sf__Id', 'sf__Created', ...job.header],
    ),
  );
  router.get(
    ['/jobs/ingest/:id/failedResults', '/jobs/ingest/:id/failedResults/'],
    results(
      (job) => job.failed,
      (job) => ['sf__Id', 'sf__Error', ...job.header],
    ),
  );
  router.get(
    ['/jobs/ingest/:id/unprocessedrecords', '/jobs/ingest/:id/unprocessedrecords/'],
    results(
      (job) => job.unprocessed,
      (job) => job.header,
    ),
  );

  router.delete('/jobs/ingest/:id', (req, res) => {
    const job = jobOf(req, res);
    if (!job) return;
    job.timers.forEach(clearTimeout);
    jobs.delete(job.id);
    res.status(204).end();
  });

  return {
    router,
    /** What the jobs did, for the inspection API. */
    list: () =>
      [...jobs.values()].map((job) => ({
        ...info(job),
        numberRecordsUnprocessed: job.unprocessed.length,
      })),
    reset(): void {
      for (const job of jobs.values()) job.timers.forEach(clearTimeout);
      jobs.clear();
    },
  };
}
