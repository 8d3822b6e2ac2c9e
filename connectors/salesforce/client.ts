import { ConnectorError } from '../errors.js';
import type { BulkJobResult, BulkOptions } from './bulk.js';
import { runUpsertJob } from './bulk.js';
import type { SalesforceConfig, SalesforceConfigInput } from './config.js';
import { salesforceConfigSchema } from './config.js';
import type { ApiError } from './errors.js';
import { apiErrors } from './errors.js';
import type { ApiUsage } from './sdk.js';
import { createSession } from './sdk.js';

export { salesforceConfigSchema } from './config.js';
export type { SalesforceConfig, SalesforceConfigInput } from './config.js';
export type { ApiUsage } from './sdk.js';
export type { BulkJobResult, BulkOptions } from './bulk.js';

/** sObject Collections take at most 200 records per request. */
export const COLLECTION_LIMIT = 200;

/** A record to write: field API names to values (null clears a field). */
export type SObjectFields = Record<string, string | null>;

/** One record's outcome in an sObject Collections upsert (UpsertResult), in request order. */
export type RecordResult =
  { success: true; id: string; created: boolean } | { success: false; errors: ApiError[] };

/** A field of the object as describe reports it (the parts townhall reads). */
export interface FieldDescription {
  name: string;
  type: string;
  custom: boolean;
  externalId: boolean;
  unique: boolean;
  length: number;
}

/** A record as a SOQL query returns it: its fields, `attributes` left out. */
export type QueriedRecord = Record<string, unknown> & { Id: string };

export interface SalesforceConnector {
  readonly config: SalesforceConfig;
  /** Signs in now (every call signs in first when needed). */
  signIn(): Promise<void>;
  /** How often this connector signed in: the first time, then once per expired session. */
  signIns(): number;
  /** The org's daily API usage from the latest answer's Sforce-Limit-Info, if any came yet. */
  limits(): ApiUsage | undefined;
  /** The configured object's fields (GET .../sobjects/{object}/describe). */
  describeFields(): Promise<FieldDescription[]>;
  /**
   * Creates or updates up to 200 records matched on the external id field (sObject Collections,
   * allOrNone false): one result per record, in order; a refused record is a result, not a throw.
   */
  upsertRecords(records: readonly SObjectFields[]): Promise<RecordResult[]>;
  /** Every record a SOQL query finds, following nextRecordsUrl. */
  query(soql: string): Promise<QueriedRecord[]>;
  /** Deletes one record by id; one already gone is `deleted: false`. */
  deleteRecord(id: string): Promise<{ deleted: boolean }>;
  /** One Bulk API 2.0 upsert job over `csv` (a header row of field API names, LF line ends). */
  bulkUpsert(csv: string): Promise<BulkJobResult>;
}

/** A SOQL string literal: quotes and backslashes escaped, control characters spelled out. */
export function soqlString(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return `\\${char}`;
    }
  });
  return `'${escaped}'`;
}

interface QueryPage {
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

const withoutAttributes = (record: Record<string, unknown>): QueriedRecord => {
  const { attributes: _attributes, ...fields } = record;
  return fields as QueriedRecord;
};

export function createSalesforceConnector(
  input: SalesforceConfigInput,
  options: BulkOptions = {},
): SalesforceConnector {
  const config = salesforceConfigSchema.parse(input);
  const session = createSession(config);
  const { object, externalIdField } = config;

  return {
    config,
    signIn: session.signIn,
    signIns: session.signIns,
    limits: session.limits,

    async describeFields() {
      const described = await session.call(`${object} describe`, (conn) =>
        conn.sobject(object).describe(),
      );
      return described.fields.map((field) => ({
        name: field.name,
        type: String(field.type),
        custom: field.custom,
        externalId: field.externalId,
        unique: field.unique,
        length: field.length,
      }));
    },

    async upsertRecords(records) {
      if (records.length === 0) return [];
      if (records.length > COLLECTION_LIMIT)
        throw new ConnectorError(
          'invalid',
          `Salesforce upsert takes at most ${COLLECTION_LIMIT} records per call, got ${records.length}`,
          { vendor: 'salesforce' },
        );
      const results = await session.call(`${object} upsert`, (conn) =>
        conn.sobject(object).upsert(
          records.map((fields) => ({ ...fields })),
          externalIdField,
          { allOrNone: false },
        ),
      );
      return records.map((_record, index): RecordResult => {
        const result = results[index] as
          { success?: boolean; id?: string; created?: boolean; errors?: unknown } | undefined;
        if (result?.success && typeof result.id === 'string')
          return { success: true, id: result.id, created: result.created === true };
        const errors = apiErrors(result?.errors);
        return {
          success: false,
          errors:
            errors.length > 0
              ? errors
              : [
                  {
                    errorCode: 'UNKNOWN',
                    message: 'Salesforce returned no result for this record',
                  },
                ],
        };
      });
    },

    async query(soql) {
      const records: QueriedRecord[] = [];
      let page = await session.call(
        `${object} query`,
        async (conn) => (await conn.query(soql)) as unknown as QueryPage,
      );
      records.push(...page.records.map(withoutAttributes));
      while (!page.done && page.nextRecordsUrl) {
        const locator = page.nextRecordsUrl;
        page = await session.call(
          `${object} query`,
          async (conn) => (await conn.queryMore(locator)) as unknown as QueryPage,
        );
        records.push(...page.records.map(withoutAttributes));
      }
      return records;
    },

    async deleteRecord(id) {
      try {
        await session.call(`${object} delete`, (conn) =>
          conn.request({
            method: 'DELETE',
            url: `/sobjects/${encodeURIComponent(object)}/${encodeURIComponent(id)}`,
          }),
        );
        return { deleted: true };
      } catch (error) {
        // 404 NOT_FOUND or ENTITY_IS_DELETED: gone already, which is what was asked.
        if (error instanceof ConnectorError && error.code === 'not_found')
          return { deleted: false };
        throw error;
      }
    },

    bulkUpsert: (csv) => runUpsertJob(session, { object, externalIdField, csv }, options),
  };
}
