import { ConnectorError } from '../errors.js';
import type { Crm, CrmPerson, CrmUpsertResult } from '../ports.js';
import { COMMUNITY_PROPERTIES, personKey } from '../ports.js';
import type { BulkJobResult } from './bulk.js';
import { errorCodeOf, toCsv } from './bulk.js';
import type { SObjectFields, SalesforceConnector } from './client.js';
import { COLLECTION_LIMIT, soqlString } from './client.js';
import { FIELD_SETUP } from './config.js';
import { describeErrors, isRetryableRecordError } from './errors.js';
import { withoutEmails } from '../redact.js';

/** Contact's standard name fields hold at most this many characters. */
const FIRST_NAME_MAX = 40;
const LAST_NAME_MAX = 80;
/** LastName when nothing better is known (Contact requires one on create). */
const NO_NAME = '(community member)';
/** How many emails one SOQL query looks for: keeps the query well under its length limit. */
const EMAILS_PER_QUERY = 100;
/** A Bulk API 2.0 upload may hold 150 MB; townhall starts a new job past this much CSV. */
const JOB_CSV_BYTES = 100 * 1024 * 1024;

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * FirstName and LastName from a display name: "Ada King Lovelace" → Ada, King Lovelace; a
 * single word is the LastName. Contact requires a LastName to create a record, so a member
 * without a name gets the local part of their email, or "(community member)" without one. An
 * upsert cannot tell a create from an update beforehand, so the placeholder also lands on an
 * existing record of a member still without a name (their record was made by townhall, with the
 * same placeholder, unless someone renamed it in Salesforce since).
 */
export function namesOf(
  name: string | undefined,
  email: string | undefined,
): { FirstName?: string; LastName: string } {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) {
    const local = email?.split('@')[0]?.trim();
    return { LastName: (local || NO_NAME).slice(0, LAST_NAME_MAX) };
  }
  if (words.length === 1) return { LastName: words[0]!.slice(0, LAST_NAME_MAX) };
  return {
    FirstName: words[0]!.slice(0, FIRST_NAME_MAX),
    LastName: words.slice(1).join(' ').slice(0, LAST_NAME_MAX),
  };
}

/** Why a person without a member id is not written. */
const NO_MEMBER_ID = (externalIdField: string) =>
  `no member id: Salesforce upserts match on the External ID field ${externalIdField} only (not on Email), so a person townhall knows by email alone cannot be written without risking a duplicate`;

/** Salesforce as townhall's CRM: people are records of `object` keyed by the member id. */
export function salesforceCrm(salesforce: SalesforceConnector): Crm {
  const { object, externalIdField, fields, bulkThreshold } = salesforce.config;
  const fieldFor = (property: string) => fields[property] ?? property;

  /** The record for a person, or why there is none. */
  function recordOf(person: CrmPerson): { fields: SObjectFields } | { reason: string } {
    if (!person.memberId) return { reason: NO_MEMBER_ID(externalIdField) };
    const record: SObjectFields = {};
    for (const [property, value] of Object.entries(person.properties))
      // An empty value clears the field, as it would in Salesforce's own UI.
      record[fieldFor(property)] = value === '' ? null : value;
    Object.assign(record, namesOf(person.name, person.email));
    if (person.email) record.Email = person.email;
    record[externalIdField] = person.memberId;
    return { fields: record };
  }

  function failure(key: string, errors: Parameters<typeof describeErrors>[0]) {
    return {
      key,
      reason: describeErrors(errors),
      retryable: errors.length > 0 && errors.every((e) => isRetryableRecordError(e.errorCode)),
    };
  }

  async function upsertPeople(people: readonly CrmPerson[]): Promise<CrmUpsertResult> {
    const result: CrmUpsertResult = { upserted: [], failed: [] };
    const sendable: { key: string; fields: SObjectFields }[] = [];
    for (const person of people) {
      const record = recordOf(person);
      if ('reason' in record)
        result.failed.push({ key: personKey(person), reason: record.reason, retryable: false });
      else sendable.push({ key: personKey(person), fields: record.fields });
    }
    const outcomes = await salesforce.upsertRecords(sendable.map((s) => s.fields));
    outcomes.forEach((outcome, index) => {
      const { key } = sendable[index]!;
      if (outcome.success)
        result.upserted.push({ key, personId: outcome.id, created: outcome.created });
      else result.failed.push(failure(key, outcome.errors));
    });
    return result;
  }

  /** One bulk job's result rows as upserted and failed people, by the external id column. */
  function collect(job: BulkJobResult, keys: Map<string, string>, result: CrmUpsertResult) {
    const seen = new Set<string>();
    const keyOf = (row: Record<string, string>) => {
      const memberId = row[externalIdField] ?? '';
      seen.add(memberId);
      return keys.get(memberId) ?? memberId;
    };
    for (const row of job.successful)
      result.upserted.push({
        key: keyOf(row),
        personId: row.sf__Id ?? '',
        created: row.sf__Created === 'true',
      });
    for (const row of job.failed) {
      const sfError = row.sf__Error ?? '';
      result.failed.push({
        key: keyOf(row),
        reason: withoutEmails(sfError.replace(/\s*--\s*$/, '')),
        retryable: isRetryableRecordError(errorCodeOf(sfError)),
      });
    }
    const why = `not processed: bulk job ${job.jobId} ended ${job.state}${job.errorMessage ? ` (${withoutEmails(job.errorMessage)})` : ''}`;
    for (const row of job.unprocessed)
      result.failed.push({ key: keyOf(row), reason: why, retryable: true });
    for (const [memberId, key] of keys)
      if (!seen.has(memberId))
        result.failed.push({
          key,
          reason: `bulk job ${job.jobId} reported no result for this person`,
          retryable: true,
        });
  }

  async function bulkUpsert(people: readonly CrmPerson[]): Promise<CrmUpsertResult> {
    const result: CrmUpsertResult = { upserted: [], failed: [] };
    const rows: { key: string; fields: SObjectFields }[] = [];
    for (const person of people) {
      const record = recordOf(person);
      if ('reason' in record)
        result.failed.push({ key: personKey(person), reason: record.reason, retryable: false });
      else rows.push({ key: personKey(person), fields: record.fields });
    }
    // One job per ~100 MB of CSV (Bulk API 2.0 takes 150 MB per upload).
    const jobs: (typeof rows)[] = [];
    let bytes = 0;
    for (const row of rows) {
      const size = Object.values(row.fields).reduce((n, v) => n + (v?.length ?? 0) * 2 + 4, 8);
      if (jobs.length === 0 || bytes + size > JOB_CSV_BYTES) {
        jobs.push([]);
        bytes = 0;
      }
      jobs.at(-1)!.push(row);
      bytes += size;
    }
    for (const batch of jobs) {
      const columns = [externalIdField];
      for (const row of batch)
        for (const name of Object.keys(row.fields)) if (!columns.includes(name)) columns.push(name);
      const csv = toCsv(
        columns,
        batch.map((row) => row.fields),
      );
      const job = await salesforce.bulkUpsert(csv);
      const processed = job.successful.length + job.failed.length;
      if (job.state === 'Aborted')
        throw new ConnectorError('unavailable', `Salesforce bulk job ${job.jobId} was aborted`, {
          vendor: 'salesforce',
        });
      if (job.state === 'Failed' && processed === 0)
        // The whole job was refused (an unknown column, a field townhall may not write): the
        // same data would fail again, and the message says what to fix.
        throw new ConnectorError(
          'invalid',
          `Salesforce bulk job ${job.jobId} failed: ${withoutEmails(job.errorMessage ?? 'no reason given')}`,
          { vendor: 'salesforce' },
        );
      collect(job, new Map(batch.map((row) => [row.fields[externalIdField]!, row.key])), result);
    }
    return result;
  }

  /** The ConnectorError for missing or misconfigured fields, naming each and how to create it. */
  async function checkFields(): Promise<void> {
    const described = await salesforce.describeFields();
    const present = new Map(described.map((field) => [field.name.toLowerCase(), field]));
    const problems: string[] = [];
    const setupOf = (field: string) => {
      const property = COMMUNITY_PROPERTIES.find((p) => fields[p] === field);
      if (field === externalIdField) return FIELD_SETUP.townhall_member_id;
      return property ? FIELD_SETUP[property] : 'a field that fits its values';
    };
    const externalId = present.get(externalIdField.toLowerCase());
    if (externalId && !externalId.externalId)
      problems.push(
        `mark ${object}.${externalIdField} as External ID (and Unique): upserts match on it`,
      );
    const wanted = [...new Set([externalIdField, ...Object.values(fields)])];
    for (const field of wanted)
      if (!present.has(field.toLowerCase()))
        problems.push(`create ${object}.${field} as ${setupOf(field)}`);
    for (const field of ['Email', 'FirstName', 'LastName'])
      if (!present.has(field.toLowerCase()))
        problems.push(`${object} has no ${field} field: townhall keeps people as Contact or Lead`);
    if (problems.length > 0)
      throw new ConnectorError(
        'invalid',
        `Salesforce ${object} is missing what townhall writes: ${problems.join('; ')} (Setup > Object Manager > ${object} > Fields & Relationships; give the integration user edit access to them)`,
        { vendor: 'salesforce' },
      );
  }

  /** Made sure of once per process; a failure is forgotten so the next call checks again. */
  let fieldsReady: Promise<void> | undefined;

  async function findByEmail(emails: readonly string[], columns: readonly string[]) {
    const records: Record<string, unknown>[] = [];
    for (let i = 0; i < emails.length; i += EMAILS_PER_QUERY) {
      const chunk = emails.slice(i, i + EMAILS_PER_QUERY);
      records.push(
        ...(await salesforce.query(
          `SELECT ${columns.join(', ')} FROM ${object} WHERE Email IN (${chunk.map(soqlString).join(', ')})`,
        )),
      );
    }
    return records;
  }

  return {
    batchLimit: COLLECTION_LIMIT,
    bulkThreshold,

    async ensureProperties() {
      fieldsReady ??= checkFields().catch((error: unknown) => {
        fieldsReady = undefined;
        throw error;
      });
      await fieldsReady;
    },

    async upsertPerson(person) {
      const { upserted, failed } = await upsertPeople([person]);
      const written = upserted[0];
      if (written) return { personId: written.personId, created: written.created };
      const refused = failed[0];
      throw new ConnectorError(
        refused?.retryable ? 'unavailable' : 'invalid',
        `Salesforce upsert failed: ${refused?.reason ?? 'no result returned'}`,
        { vendor: 'salesforce' },
      );
    },

    upsertPeople,
    bulkUpsert,

    async readPeople(emails, properties) {
      if (emails.length === 0) return { found: [], missing: [] };
      const wanted = properties.map((property) => [property, fieldFor(property)] as const);
      const bad = wanted.filter(([, field]) => !FIELD_NAME.test(field));
      if (bad.length > 0)
        throw new ConnectorError(
          'invalid',
          `Salesforce field names are letters, digits and _: ${bad.map(([p]) => p).join(', ')}`,
          { vendor: 'salesforce' },
        );
      const columns: string[] = [];
      for (const field of ['Id', 'Email', ...wanted.map(([, f]) => f)])
        if (!columns.some((c) => c.toLowerCase() === field.toLowerCase())) columns.push(field);
      const records = await findByEmail(emails, columns);
      const value = (record: Record<string, unknown>, field: string): string | null => {
        const key = Object.keys(record).find((k) => k.toLowerCase() === field.toLowerCase());
        const raw = key === undefined ? null : record[key];
        if (raw === null || raw === undefined) return null;
        if (typeof raw === 'string') return raw;
        return typeof raw === 'number' || typeof raw === 'boolean'
          ? String(raw)
          : JSON.stringify(raw);
      };
      const found = records.map((record) => ({
        personId: String(record.Id),
        email: value(record, 'Email') ?? '',
        properties: Object.fromEntries(
          wanted.map(([property, field]) => [property, value(record, field)]),
        ),
      }));
      const have = new Set(found.map((person) => person.email.toLowerCase()));
      return { found, missing: emails.filter((email) => !have.has(email.toLowerCase())) };
    },

    async deletePerson(email) {
      // Salesforce's delete moves the record to the Recycle Bin, where it stays up to 15 days
      // unless an admin empties it: the REST API has no hard delete of a single record.
      const records = await findByEmail([email], ['Id']);
      let deleted = false;
      for (const record of records)
        if ((await salesforce.deleteRecord(String(record.Id))).deleted) deleted = true;
      return { deleted };
    },
  };
}
