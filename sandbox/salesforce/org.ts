import type { SalesforceError } from './http.js';
import { idMaker } from './http.js';

/** A custom field the org has, as an admin created it in Setup > Object Manager. */
export interface CustomField {
  name: string;
  type: 'string' | 'textarea' | 'datetime' | 'double' | 'email';
  /** Characters a text field holds. */
  length?: number;
  externalId?: boolean;
  unique?: boolean;
}

/** The custom fields townhall's README asks an admin to create on Contact. */
export const COMMUNITY_FIELDS: readonly CustomField[] = [
  { name: 'Townhall_Member_Id__c', type: 'string', length: 64, externalId: true, unique: true },
  { name: 'Community_Platforms__c', type: 'string', length: 255 },
  { name: 'Community_First_Seen__c', type: 'datetime' },
  { name: 'Community_Last_Active__c', type: 'datetime' },
  { name: 'Community_Activity_30d__c', type: 'double' },
  { name: 'Community_Engagement_Level__c', type: 'string', length: 40 },
  { name: 'Community_Milestones__c', type: 'textarea', length: 32_768 },
];

/** A field as describe reports it (DescribeSObjectResult.fields, the parts clients read). */
export interface FieldDescribe {
  name: string;
  label: string;
  type: string;
  length: number;
  custom: boolean;
  externalId: boolean;
  unique: boolean;
  idLookup: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  caseSensitive: boolean;
}

const standard = (
  name: string,
  type: string,
  length: number,
  extra: Partial<FieldDescribe> = {},
): FieldDescribe => ({
  name,
  label: name.replace(/([a-z])([A-Z])/g, '$1 $2'),
  type,
  length,
  custom: false,
  externalId: false,
  unique: false,
  idLookup: false,
  nillable: true,
  createable: true,
  updateable: true,
  caseSensitive: false,
  ...extra,
});

const readOnly = { createable: false, updateable: false };

/** Contact's standard fields that a person record uses (a subset of Salesforce's). */
const STANDARD_FIELDS: readonly FieldDescribe[] = [
  standard('Id', 'id', 18, { ...readOnly, idLookup: true, nillable: false }),
  standard('IsDeleted', 'boolean', 0, { ...readOnly, nillable: false }),
  standard('FirstName', 'string', 40),
  standard('LastName', 'string', 80, { nillable: false }),
  standard('Name', 'string', 121, readOnly),
  standard('Email', 'email', 80, { idLookup: true }),
  standard('Phone', 'phone', 40),
  standard('Title', 'string', 128),
  standard('CreatedDate', 'datetime', 0, { ...readOnly, nillable: false }),
  standard('LastModifiedDate', 'datetime', 0, { ...readOnly, nillable: false }),
  standard('SystemModstamp', 'datetime', 0, { ...readOnly, nillable: false }),
];

function describeCustom(field: CustomField): FieldDescribe {
  const text = field.type === 'string' || field.type === 'textarea' || field.type === 'email';
  return standard(field.name, field.type, text ? (field.length ?? 255) : 0, {
    label: field.name.replace(/__c$/, '').replace(/_/g, ' '),
    custom: true,
    externalId: field.externalId === true,
    unique: field.unique === true,
    idLookup: field.externalId === true || field.unique === true,
  });
}

/** A stored record: values by the field's API name (as described), null when empty. */
export interface SandboxRecord {
  Id: string;
  IsDeleted: boolean;
  fields: Record<string, string | number | null>;
  CreatedDate: string;
  LastModifiedDate: string;
}

export type WriteResult =
  { success: true; id: string; created: boolean } | { success: false; errors: SalesforceError[] };

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const sfDate = (date: Date) => date.toISOString().replace('Z', '+0000');

/**
 * One object of the org (Contact by default): its describe, its records, and upsert by an
 * external id with Salesforce's per-record errors. sObject Collections and Bulk API 2.0 jobs
 * both write through `upsert`.
 */
export function createOrg(options: {
  object: string;
  customFields: readonly CustomField[];
  /** Custom fields left out, as in an org whose admin has not created them. */
  missingFields: readonly string[];
}) {
  const missing = new Set(options.missingFields.map((name) => name.toLowerCase()));
  const fields: FieldDescribe[] = [
    ...STANDARD_FIELDS,
    ...options.customFields.filter((f) => !missing.has(f.name.toLowerCase())).map(describeCustom),
  ];
  const byName = new Map(fields.map((field) => [field.name.toLowerCase(), field]));
  const records = new Map<string, SandboxRecord>();
  const newId = idMaker('003');
  /** External id values whose records are locked by "another transaction". */
  let locked = new Set<string>();

  const field = (name: string) => byName.get(name.toLowerCase());
  const live = () => [...records.values()].filter((r) => !r.IsDeleted);

  /** Live records by the values of their External ID and Unique fields (case-insensitive). */
  const keyed = new Map<string, SandboxRecord>();
  const indexed = fields.filter((f) => f.externalId || f.unique).map((f) => f.name);
  const keyOf = (fieldName: string, value: unknown) =>
    `${fieldName.toLowerCase()}\u0000${String(value).toLowerCase()}`;
  function unindex(record: SandboxRecord): void {
    for (const name of indexed) {
      const value = record.fields[name];
      if (value !== null && value !== undefined && keyed.get(keyOf(name, value)) === record)
        keyed.delete(keyOf(name, value));
    }
  }
  function index(record: SandboxRecord): void {
    for (const name of indexed) {
      const value = record.fields[name];
      if (value !== null && value !== undefined) keyed.set(keyOf(name, value), record);
    }
  }
  const byExternalId = (fieldName: string, value: unknown): SandboxRecord | undefined =>
    keyed.get(keyOf(fieldName, value));

  /** A value as the field stores it, or the error Salesforce gives for it. */
  function convert(
    described: FieldDescribe,
    value: unknown,
  ): { value: string | number | null } | { error: SalesforceError } {
    if (value === null || value === undefined || value === '') return { value: null };
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const invalidType = () => ({
      error: {
        errorCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
        message: `${described.label}: value not of required type: ${text}`,
        fields: [described.name],
      },
    });
    if (described.type === 'double') {
      const number = typeof value === 'number' ? value : Number(text);
      return Number.isFinite(number) && text.trim() !== '' ? { value: number } : invalidType();
    }
    if (described.type === 'datetime')
      return Number.isNaN(Date.parse(text))
        ? invalidType()
        : { value: new Date(text).toISOString() };
    if (described.type === 'email' && !EMAIL.test(text))
      return {
        error: {
          errorCode: 'INVALID_EMAIL_ADDRESS',
          message: `${described.label}: invalid email address: ${text}`,
          fields: [described.name],
        },
      };
    if (described.length > 0 && text.length > described.length)
      return {
        error: {
          errorCode: 'STRING_TOO_LONG',
          message: `${described.label}: data value too large: ${text.slice(0, 40)} (max length=${described.length})`,
          fields: [described.name],
        },
      };
    return { value: text };
  }

  /**
   * Creates or updates the record whose `externalIdField` matches (case-insensitively, as for
   * a text External ID): `values` by field name, null clearing a field. `duplicates` are the
   * external id values given more than once in the same request, which Salesforce refuses.
   * `dryRun` checks without writing (an allOrNone request's first pass).
   */
  function upsert(
    externalIdField: string,
    values: Readonly<Record<string, unknown>>,
    duplicates: ReadonlySet<string> = new Set(),
    { dryRun = false }: { dryRun?: boolean } = {},
  ): WriteResult {
    const errors: SalesforceError[] = [];
    const fail = (errorCode: string, message: string, on?: string[]): WriteResult => ({
      success: false,
      errors: [{ errorCode, message, ...(on ? { fields: on } : {}) }],
    });
    const keyField = field(externalIdField)!;
    const rawKey = Object.entries(values).find(
      ([k]) => k.toLowerCase() === keyField.name.toLowerCase(),
    )?.[1];
    const key =
      typeof rawKey === 'number' ? String(rawKey) : typeof rawKey === 'string' ? rawKey : '';
    if (!key) return fail('MISSING_ARGUMENT', `${keyField.name} not specified`, [keyField.name]);
    if (duplicates.has(key.toLowerCase()))
      return fail('DUPLICATE_VALUE', `Duplicate external id specified: ${key}`, [keyField.name]);

    const converted: Record<string, string | number | null> = {};
    for (const [name, value] of Object.entries(values)) {
      if (name === 'attributes') continue;
      const described = field(name);
      if (!described) {
        errors.push({
          errorCode: 'INVALID_FIELD',
          message: `No such column '${name}' on sobject of type ${options.object}`,
          fields: [name],
        });
        continue;
      }
      if (!described.createable && !described.updateable) {
        errors.push({
          errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
          message: `Unable to create/update fields: ${described.name}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          fields: [described.name],
        });
        continue;
      }
      const result = convert(described, value);
      if ('error' in result) errors.push(result.error);
      else converted[described.name] = result.value;
    }
    if (errors.length > 0) return { success: false, errors };

    const existing = byExternalId(keyField.name, key);
    if (locked.has(key.toLowerCase()))
      return fail(
        'UNABLE_TO_LOCK_ROW',
        `unable to obtain exclusive access to this record or 1 records: ${existing?.Id ?? key}`,
      );
    const lastName = 'LastName' in converted ? converted.LastName : existing?.fields.LastName;
    if (lastName === null || lastName === undefined)
      return fail('REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]', [
        'LastName',
      ]);
    for (const described of fields) {
      const value = converted[described.name];
      if (
        !described.unique ||
        described.name === keyField.name ||
        value === null ||
        value === undefined
      )
        continue;
      const other = byExternalId(described.name, value);
      if (other && other !== existing)
        return fail(
          'DUPLICATE_VALUE',
          `duplicate value found: ${described.name} duplicates value on record with id: ${other.Id}`,
          [described.name],
        );
    }

    if (dryRun) return { success: true, id: existing?.Id ?? '', created: !existing };
    const now = sfDate(new Date());
    const write = (record: SandboxRecord) => {
      unindex(record);
      Object.assign(record.fields, converted);
      index(record);
      const first = record.fields.FirstName;
      record.fields.Name = [first, record.fields.LastName]
        .filter((v) => v !== null && v !== undefined)
        .join(' ');
      record.LastModifiedDate = now;
    };
    if (existing) {
      write(existing);
      return { success: true, id: existing.Id, created: false };
    }
    const record: SandboxRecord = {
      Id: newId(),
      IsDeleted: false,
      fields: {},
      CreatedDate: now,
      LastModifiedDate: now,
    };
    write(record);
    records.set(record.Id, record);
    return { success: true, id: record.Id, created: true };
  }

  /** A field's value as the API shows it (system fields included). */
  function valueOf(record: SandboxRecord, name: string): unknown {
    switch (name) {
      case 'Id':
        return record.Id;
      case 'IsDeleted':
        return record.IsDeleted;
      case 'CreatedDate':
        return record.CreatedDate;
      case 'LastModifiedDate':
      case 'SystemModstamp':
        return record.LastModifiedDate;
      default:
        return record.fields[name] ?? null;
    }
  }

  return {
    object: options.object,
    fields,
    field,
    upsert,
    valueOf,
    live,
    get: (id: string) => records.get(id),
    /** Moves a record to the Recycle Bin (what the REST API's delete does). */
    remove(record: SandboxRecord): void {
      unindex(record);
      record.IsDeleted = true;
    },
    lock(externalIds: readonly string[]): void {
      locked = new Set(externalIds.map((id) => id.toLowerCase()));
    },
    /** Every record with every field, as the inspection API lists them. */
    list: () =>
      [...records.values()].map((record): Record<string, string | number | boolean | null> => ({
        Id: record.Id,
        IsDeleted: record.IsDeleted,
        CreatedDate: record.CreatedDate,
        LastModifiedDate: record.LastModifiedDate,
        ...record.fields,
      })),
    reset(): void {
      records.clear();
      keyed.clear();
      locked = new Set();
    },
  };
}
export type Org = ReturnType<typeof createOrg>;
