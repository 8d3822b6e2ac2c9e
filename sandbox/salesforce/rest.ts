import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import express from 'express';
import { notFound, sendError, text, versionOf } from './http.js';
import type { Org, WriteResult } from './org.js';
import { SoqlError, matches, parseSoql } from './soql.js';

/** sObject Collections take at most 200 records per request. */
const COLLECTION_LIMIT = 200;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The external id values that occur more than once among `records` (lower-cased). */
export function duplicateKeys(
  records: readonly Record<string, unknown>[],
  field: string,
): Set<string> {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const record of records) {
    const entry = Object.entries(record).find(([k]) => k.toLowerCase() === field.toLowerCase());
    const value = entry ? text(entry[1]).toLowerCase() : '';
    if (!value) continue;
    if (seen.has(value)) twice.add(value);
    seen.add(value);
  }
  return twice;
}

/** UpsertResult as sObject Collections answer it: errors name their code `statusCode`. */
function upsertResult(result: WriteResult) {
  if (result.success) return { id: result.id, success: true, errors: [], created: result.created };
  return {
    success: false,
    errors: result.errors.map((e) => ({
      statusCode: e.errorCode,
      message: e.message,
      fields: e.fields ?? [],
    })),
  };
}

/**
 * The REST API under /services/data/vXX.X for one object: describe, sObject Collections upsert
 * by external id, SOQL query (with queryMore pages), and delete.
 */
export function restRoutes(org: Org, options: { queryPageSize: number }) {
  const router = express.Router({ mergeParams: true });
  const object = (req: Request) => String(req.params.object ?? '');
  const known = (req: Request, res: Response) => {
    if (object(req).toLowerCase() === org.object.toLowerCase()) return true;
    notFound(res);
    return false;
  };

  router.get('/sobjects/:object/describe', (req, res) => {
    if (!known(req, res)) return;
    res.json({
      name: org.object,
      label: org.object,
      custom: false,
      keyPrefix: '003',
      createable: true,
      updateable: true,
      deletable: true,
      queryable: true,
      fields: org.fields,
      urls: {
        describe: `/services/data/${versionOf(req)}/sobjects/${org.object}/describe`,
        sobject: `/services/data/${versionOf(req)}/sobjects/${org.object}`,
      },
    });
  });

  router.patch('/composite/sobjects/:object/:externalIdField', (req, res) => {
    if (!known(req, res)) return;
    const keyField = org.field(String(req.params.externalIdField));
    if (!keyField || !(keyField.externalId || keyField.name === 'Id')) {
      sendError(
        res,
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${String(req.params.externalIdField)}`,
      );
      return;
    }
    const body = req.body as { allOrNone?: unknown; records?: unknown } | undefined;
    const records = body?.records;
    if (!Array.isArray(records) || !records.every(isRecord)) {
      sendError(res, 400, 'JSON_PARSER_ERROR', 'records: expected an array of sObjects');
      return;
    }
    if (records.length > COLLECTION_LIMIT) {
      sendError(
        res,
        400,
        'EXCEEDED_ID_LIMIT',
        `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`,
      );
      return;
    }
    if (records.some((r) => !isRecord(r.attributes) || r.attributes.type !== org.object)) {
      sendError(res, 400, 'INVALID_FIELD', `Each record needs attributes with type ${org.object}`);
      return;
    }
    const duplicates = duplicateKeys(records, keyField.name);
    if (body?.allOrNone === true) {
      // Rolled back on the first failure: only a batch that would fully succeed is written.
      const trial = records.map((record) => ({
        record,
        problem: undefined as WriteResult | undefined,
      }));
      for (const entry of trial) {
        const { attributes: _attributes, ...values } = entry.record;
        const result = org.upsert(keyField.name, values, duplicates, { dryRun: true });
        if (!result.success) entry.problem = result;
      }
      if (trial.some((entry) => entry.problem)) {
        res.json(
          trial.map((entry) =>
            upsertResult(
              entry.problem ?? {
                success: false,
                errors: [
                  {
                    errorCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                    message:
                      'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  },
                ],
              },
            ),
          ),
        );
        return;
      }
    }
    res.json(
      records.map((record) => {
        const { attributes: _attributes, ...values } = record;
        return upsertResult(org.upsert(keyField.name, values, duplicates));
      }),
    );
  });

  /** Query cursors: what is left of a result once its first page went out. */
  const cursors = new Map<string, { rows: unknown[]; at: number }>();

  function page(req: Request, rows: unknown[], at: number) {
    const size = options.queryPageSize;
    const slice = rows.slice(at, at + size);
    const done = at + size >= rows.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const locator = `01g${randomUUID().replace(/-/g, '').slice(0, 15)}`;
      cursors.set(locator, { rows, at: at + size });
      nextRecordsUrl = `/services/data/${versionOf(req)}/query/${locator}-${at + size}`;
    }
    return {
      totalSize: rows.length,
      done,
      ...(nextRecordsUrl ? { nextRecordsUrl } : {}),
      records: slice,
    };
  }

  router.get('/query', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    try {
      const query = parseSoql(q);
      if (query.object.toLowerCase() !== org.object.toLowerCase())
        throw new SoqlError('INVALID_TYPE', `sObject type '${query.object}' is not supported.`);
      const canonical = (name: string) => {
        const described = org.field(name);
        if (!described)
          throw new SoqlError(
            'INVALID_FIELD',
            `No such column '${name}' on entity '${org.object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
          );
        return described.name;
      };
      const selected = query.fields.map(canonical);
      for (const condition of query.conditions) condition.field = canonical(condition.field);
      let found = org
        .live()
        .filter((record) => matches(query, (field) => org.valueOf(record, field)));
      if (query.limit !== undefined) found = found.slice(0, query.limit);
      const rows = found.map((record) => ({
        attributes: {
          type: org.object,
          url: `/services/data/${versionOf(req)}/sobjects/${org.object}/${record.Id}`,
        },
        ...Object.fromEntries(selected.map((field) => [field, org.valueOf(record, field)])),
      }));
      res.json(page(req, rows, 0));
    } catch (error) {
      if (!(error instanceof SoqlError)) throw error;
      sendError(res, 400, error.errorCode, error.message);
    }
  });

  router.get('/query/:locator', (req, res) => {
    const [locator] = String(req.params.locator).split('-');
    const cursor = cursors.get(locator ?? '');
    if (!cursor) {
      sendError(res, 400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
      return;
    }
    cursors.delete(locator!);
    res.json(page(req, cursor.rows, cursor.at));
  });

  router.delete('/sobjects/:object/:id', (req, res) => {
    if (!known(req, res)) return;
    const record = org.get(String(req.params.id));
    if (!record) return notFound(res);
    if (record.IsDeleted) {
      sendError(res, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
      return;
    }
    org.remove(record);
    res.status(204).end();
  });

  return { router, reset: () => cursors.clear() };
}
