import type { Client } from '@hubspot/api-client';
import type { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/index.js';
import { ConnectorError } from '../errors.js';
import type { BatchError } from './batch.js';
import { describeError, failuresById } from './batch.js';
import type { Call } from './sdk.js';
import { batchCall } from './sdk.js';

/** HubSpot's batch endpoints take at most 100 inputs. */
export const BATCH_LIMIT = 100;

export interface ContactUpsert {
  email: string;
  properties: Record<string, string>;
}

/** A contact as townhall sees it: HubSpot's SimplePublicObject with ISO timestamps. */
export interface Contact {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

export interface UpsertResult {
  upserted: { email: string; contactId: string; created: boolean }[];
  /** Records HubSpot refused (invalid email, unknown property ...): retrying will not help. */
  failed: { email: string; reason: string; category?: string; code?: string }[];
}

/** One contact to create or update, found by the value `id` of the upsert's unique property. */
export interface KeyedUpsert {
  id: string;
  properties: Record<string, string>;
}

/** What HubSpot did with each input of an upsert keyed by a unique property. */
export interface KeyedUpsertResult {
  upserted: { id: string; contactId: string; created: boolean }[];
  /**
   * Inputs HubSpot did not write, with its error's category and first code; `properties` are
   * the properties its error details name (e.g. the unique property whose value another
   * contact has). No error at all (the input got neither a result nor an error): no category.
   */
  failed: {
    id: string;
    reason: string;
    category?: string;
    code?: string;
    properties?: string[];
  }[];
}

export type SearchOperator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';

export interface SearchFilter {
  propertyName: string;
  operator: SearchOperator;
  value?: string;
  values?: string[];
  highValue?: string;
}

export interface ContactSearch {
  /** Groups are ORed, the filters inside a group ANDed (HubSpot allows 5 groups, 6 filters each). */
  filterGroups: { filters: SearchFilter[] }[];
  properties?: string[];
  /** Page size, at most 200. */
  limit?: number;
  /** The cursor from the previous page's `after`. */
  after?: string;
}

export interface ContactPage {
  contacts: Contact[];
  total: number;
  /** Pass as `after` for the next page; absent on the last page. */
  after?: string;
}

/** HubSpot keeps emails in lower case and matches them in any case. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function toContact(object: {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date;
  updatedAt: Date;
}): Contact {
  return {
    id: object.id,
    properties: object.properties,
    createdAt: object.createdAt.toISOString(),
    updatedAt: object.updatedAt.toISOString(),
  };
}

function checkBatchSize(action: string, size: number): void {
  if (size > BATCH_LIMIT)
    throw new ConnectorError(
      'invalid',
      `HubSpot ${action} takes at most ${BATCH_LIMIT} records, got ${size} (split the batch)`,
      { vendor: 'hubspot' },
    );
}

/**
 * Later inputs for the same key merge into the earlier one: HubSpot refuses duplicate ids in a
 * batch. Emails match in any case (HubSpot keeps them in lower case); other unique values as
 * they are.
 */
function mergeById(
  inputs: readonly KeyedUpsert[],
  normalize: (id: string) => string,
): Map<string, KeyedUpsert> {
  const merged = new Map<string, KeyedUpsert>();
  for (const input of inputs) {
    const key = normalize(input.id);
    const earlier = merged.get(key);
    merged.set(key, {
      id: earlier?.id ?? input.id.trim(),
      properties: { ...earlier?.properties, ...input.properties },
    });
  }
  return merged;
}

/** The property names a batch error's details are about (`in`, or `context.propertyName`). */
function propertiesNamed(error: BatchError | undefined): string[] {
  const names = (error?.errors ?? []).flatMap((detail) => [
    ...(detail.in ? [detail.in] : []),
    ...(detail._in ? [detail._in] : []),
    ...(detail.context?.propertyName ?? []),
  ]);
  return [...new Set(names)];
}

export function contactActions(client: Client, call: Call) {
  const contacts = client.crm.contacts;

  /**
   * Creates or updates up to 100 contacts in one request, each found by its value of
   * `idProperty`: `email`, or a property HubSpot keeps unique (`hasUniqueValue`, such as
   * townhall_member_id). The value is written too. A 207 leaves the good records written and
   * names the bad ones: they come back in `failed` with HubSpot's category and code.
   */
  async function upsertContactsBy(
    idProperty: string,
    inputs: readonly KeyedUpsert[],
  ): Promise<KeyedUpsertResult> {
    const normalize = idProperty === 'email' ? normalizeEmail : (id: string) => id.trim();
    const byId = mergeById(inputs, normalize);
    if (byId.size === 0) return { upserted: [], failed: [] };
    checkBatchSize('contact batch upsert', byId.size);
    const body = await batchCall(call, 'contact batch upsert', () =>
      contacts.batchApi.upsert({
        inputs: [...byId.values()].map(({ id, properties }) => ({
          idProperty,
          id,
          properties: { ...properties, [idProperty]: id },
        })),
      }),
    );
    const upserted: KeyedUpsertResult['upserted'] = [];
    for (const result of body.results ?? []) {
      const input = byId.get(normalize(result.properties[idProperty] ?? ''));
      if (!input) continue;
      upserted.push({ id: input.id, contactId: result.id, created: result._new });
    }
    const done = new Set(upserted.map((u) => normalize(u.id)));
    const unmatched = [...byId.keys()].filter((key) => !done.has(key));
    const failures = failuresById(body.errors ?? [], unmatched, normalize);
    const failed = unmatched.map((key) => {
      const error = failures.get(key);
      const named = propertiesNamed(error);
      return {
        id: byId.get(key)!.id,
        reason: error ? describeError(error) : 'HubSpot returned no result for this contact',
        ...(error ? { category: error.category } : {}),
        ...(error?.errors?.[0]?.code ? { code: error.errors[0].code } : {}),
        ...(named.length > 0 ? { properties: named } : {}),
      };
    });
    return { upserted, failed };
  }

  return {
    upsertContactsBy,

    /**
     * Creates or updates up to 100 contacts keyed by email in one request. A 207 leaves the good
     * records written and names the bad ones: they come back in `failed` with HubSpot's reason.
     */
    async upsertContacts(inputs: readonly ContactUpsert[]): Promise<UpsertResult> {
      const { upserted, failed } = await upsertContactsBy(
        'email',
        inputs.map(({ email, properties }) => ({ id: email, properties })),
      );
      return {
        upserted: upserted.map(({ id, contactId, created }) => ({ email: id, contactId, created })),
        failed: failed.map(({ id, reason, category, code }) => ({
          email: id,
          reason,
          ...(category ? { category } : {}),
          ...(code ? { code } : {}),
        })),
      };
    },

    /** Reads up to 100 contacts by id, or by `idProperty` (email, or a unique property). */
    async readContacts(input: {
      ids: readonly string[];
      idProperty?: string;
      properties?: readonly string[];
    }): Promise<{ found: Contact[]; missing: string[] }> {
      if (input.ids.length === 0) return { found: [], missing: [] };
      checkBatchSize('contact batch read', input.ids.length);
      const key = input.idProperty;
      const properties = input.properties
        ? [...new Set([...input.properties, ...(key ? [key] : [])])]
        : [];
      const body = await batchCall(call, 'contact batch read', () =>
        contacts.batchApi.read(
          {
            inputs: input.ids.map((id) => ({ id })),
            ...(key ? { idProperty: key } : {}),
            properties,
            propertiesWithHistory: [],
          },
          false,
        ),
      );
      const found = (body.results ?? []).map(toContact);
      const norm = (value: string) => (key === 'email' ? normalizeEmail(value) : value);
      const have = new Set(found.map((c) => norm((key ? c.properties[key] : c.id) ?? '')));
      return { found, missing: input.ids.filter((id) => !have.has(norm(id))) };
    },

    /** One page of contacts matching the filter groups; page on with `after`. */
    async searchContacts(query: ContactSearch): Promise<ContactPage> {
      const page = await call('contact search', () =>
        contacts.searchApi.doSearch({
          filterGroups: query.filterGroups.map((group) => ({
            filters: group.filters.map((filter) => ({
              ...filter,
              operator: filter.operator as FilterOperatorEnum,
            })),
          })),
          ...(query.properties ? { properties: [...query.properties] } : {}),
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
          ...(query.after !== undefined ? { after: query.after } : {}),
        }),
      );
      const after = page.paging?.next?.after;
      return {
        contacts: page.results.map(toContact),
        total: page.total,
        ...(after ? { after } : {}),
      };
    },

    /** Sets properties on one contact (by id, or by `idProperty` such as email). */
    async updateContact(input: {
      id: string;
      idProperty?: string;
      properties: Record<string, string>;
    }): Promise<Contact> {
      const updated = await call('contact update', () =>
        contacts.basicApi.update(input.id, { properties: input.properties }, input.idProperty),
      );
      return toContact(updated);
    },

    /** Archives up to 100 contacts by id; already archived or unknown ids are no error. */
    async archiveContacts(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      checkBatchSize('contact batch archive', ids.length);
      await call('contact batch archive', () =>
        contacts.batchApi.archive({ inputs: ids.map((id) => ({ id })) }),
      );
    },

    /**
     * Permanently deletes a contact (GDPR). By email, HubSpot also blocks the address from coming
     * back, even when no contact has it. A contact already gone counts as deleted.
     */
    async gdprDeleteContact(input: {
      id: string;
      idProperty?: 'email';
    }): Promise<{ deleted: boolean }> {
      try {
        // @hubspot/api-client 13 exposes gdpr-delete as basicApi.purge (no crm.contacts.gdprApi).
        await call('contact GDPR delete', () =>
          contacts.basicApi.purge({
            objectId: input.id,
            ...(input.idProperty ? { idProperty: input.idProperty } : {}),
          }),
        );
        return { deleted: true };
      } catch (error) {
        if (error instanceof ConnectorError && error.code === 'not_found')
          return { deleted: false };
        throw error;
      }
    },
  };
}
