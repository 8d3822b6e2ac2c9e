import express from 'express';
import type { Request, Response } from 'express';
import type { ValueProblem } from './errors.js';
import { batchError, invalidValuesMessage, sendError, sendInvalidValues } from './errors.js';
import type { PropertyStore } from './property-store.js';
import type { RecordFaults } from './record-faults.js';
import type { ContactStore, SandboxContact } from './store.js';
import { text, view } from './store.js';

const BATCH_LIMIT = 100;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** `?properties=a,b&properties=c` → [a, b, c] (the SDK repeats the parameter). */
export function listParam(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.flatMap((v) => text(v).split(',')).filter((v) => v.length > 0);
}

const asStrings = (values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, text(v)]));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `inputs` of a batch body, or a 400 sent and undefined. */
function batchInputs(req: Request, res: Response): Record<string, unknown>[] | undefined {
  const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > BATCH_LIMIT) {
    sendError(
      res,
      400,
      'VALIDATION_ERROR',
      `inputs must hold between 1 and ${BATCH_LIMIT} records`,
    );
    return undefined;
  }
  if (!inputs.every(isRecord)) {
    sendError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: every input must be an object');
    return undefined;
  }
  return inputs;
}

/** The batch response envelope: 200 when all went well, 207 Multi-Status with `errors`. */
function sendBatch(res: Response, startedAt: string, results: unknown[], errors: unknown[]): void {
  const body = {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    startedAt,
    completedAt: new Date().toISOString(),
  };
  res.status(errors.length > 0 ? 207 : 200).json(body);
}

/** A unique value `values` would give a contact while another live contact holds it. */
interface UniqueConflict {
  name: string;
  value: string;
  holder: SandboxContact;
}

/**
 * The unique values (email, and every property defined with `hasUniqueValue`) that writing
 * `values` to `self` (undefined: a new contact) would share with another contact. HubSpot keeps
 * one contact per email and per value of each unique property.
 */
function uniqueConflicts(
  contacts: ContactStore,
  properties: PropertyStore,
  self: SandboxContact | undefined,
  values: Record<string, string>,
): UniqueConflict[] {
  const unique = ['email', ...properties.uniqueNames()];
  return unique.flatMap((name) => {
    const value = values[name];
    if (!value) return [];
    const holder = contacts.find(value, name);
    return holder && holder !== self ? [{ name, value, holder }] : [];
  });
}

/** A unique property's value taken: HubSpot's "Property values were not valid" entry for it. */
const takenValue = ({ name, holder }: UniqueConflict): ValueProblem => ({
  name,
  error: 'VALUE_NOT_UNIQUE',
  message: `Another contact already has this ${name} value. Existing ID: ${holder.id}`,
});

/** An email another contact has: HubSpot's Contact already exists (409 for one contact). */
const contactExists = (conflict: UniqueConflict) =>
  `Contact already exists. Existing ID: ${conflict.holder.id}`;

/**
 * A write that would give two contacts one unique value, answered as HubSpot does for one
 * contact: 409 CONFLICT for an email another contact has, 400 VALIDATION_ERROR naming the unique
 * properties whose values are taken. Returns true when it answered.
 */
function refuseConflicts(res: Response, conflicts: readonly UniqueConflict[]): boolean {
  const email = conflicts.find((conflict) => conflict.name === 'email');
  if (email) {
    sendError(res, 409, 'CONFLICT', contactExists(email));
    return true;
  }
  if (conflicts.length === 0) return false;
  sendInvalidValues(res, conflicts.map(takenValue));
  return true;
}

/** The same, as the StandardError of one input in a batch's 207. */
function conflictError(id: string, conflicts: readonly UniqueConflict[]) {
  const email = conflicts.find((conflict) => conflict.name === 'email');
  if (email)
    return {
      ...batchError('OBJECT_ALREADY_EXISTS', contactExists(email), [id]),
      errors: [
        {
          message: `A contact with email ${email.value} already exists. Existing ID: ${email.holder.id}`,
          code: 'CONTACT_EXISTS',
          in: 'email',
          context: { propertyName: ['email'] },
        },
      ],
    };
  const problems = conflicts.map(takenValue);
  return batchError('VALIDATION_ERROR', invalidValuesMessage(problems), [id], problems);
}

export interface ContactRouteOptions {
  /** The sandbox account's portal id, which HubSpot names in some errors. */
  portalId: number;
  recordFaults: RecordFaults;
}

/** CRM v3 contacts: single-object CRUD, batch upsert/read/archive, merge and GDPR delete. */
export function contactRoutes(
  contacts: ContactStore,
  properties: PropertyStore,
  options: ContactRouteOptions,
) {
  const router = express.Router();
  const base = '/crm/v3/objects/contacts';

  /**
   * Batch upsert: each input names its unique property (`idProperty`: email, or one defined with
   * `hasUniqueValue`) and its value (`id`); a contact with that value is updated, else one is
   * created with it. Any other idProperty fails the whole request, as HubSpot answers it.
   */
  router.post(`${base}/batch/upsert`, (req, res) => {
    const inputs = batchInputs(req, res);
    if (!inputs) return;
    const keyed = inputs.find(
      (input) =>
        typeof input.idProperty !== 'string' ||
        (input.idProperty !== 'email' && !properties.uniqueNames().includes(input.idProperty)),
    );
    if (keyed) {
      const name = typeof keyed.idProperty === 'string' ? keyed.idProperty : undefined;
      sendError(
        res,
        400,
        'VALIDATION_ERROR',
        name
          ? `Unable to perform update/upsert by non-unique 0-1 property ${name} in portal ID ${options.portalId}`
          : 'Invalid input JSON: idProperty is required for an upsert',
      );
      return;
    }
    const keys = inputs.map((input) => {
      const id = text(input.id).trim();
      return `${text(input.idProperty)}:${input.idProperty === 'email' ? id.toLowerCase() : id}`;
    });
    const duplicates = inputs
      .filter((_, i) => keys.indexOf(keys[i]!) !== i)
      .map((input) => text(input.id));
    if (duplicates.length > 0) {
      sendError(
        res,
        400,
        'VALIDATION_ERROR',
        `Duplicate IDs found in batch input: [${duplicates.join(', ')}]`,
      );
      return;
    }
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of inputs) {
      const idProperty = input.idProperty as string;
      const id = typeof input.id === 'string' ? input.id : '';
      const fault = options.recordFaults.take(id);
      if (fault) {
        errors.push(fault);
        continue;
      }
      const values = asStrings(isRecord(input.properties) ? input.properties : {});
      const problems =
        idProperty === 'email' && !EMAIL.test(id)
          ? [{ name: 'email', error: 'INVALID_EMAIL', message: `Email address ${id} is invalid` }]
          : id === ''
            ? [
                {
                  name: idProperty,
                  error: 'INVALID_ID',
                  message: `${idProperty} must not be empty`,
                },
              ]
            : properties.validate({ ...values, [idProperty]: id });
      if (problems.length > 0) {
        errors.push(batchError('VALIDATION_ERROR', invalidValuesMessage(problems), [id], problems));
        continue;
      }
      const existing = contacts.find(id, idProperty);
      const written =
        idProperty === 'email'
          ? { ...values, email: existing?.properties.email ?? id }
          : { ...values, [idProperty]: id };
      const conflicts = uniqueConflicts(contacts, properties, existing, written);
      if (conflicts.length > 0) {
        errors.push(conflictError(id, conflicts));
        continue;
      }
      const contact = contacts.write(existing, written);
      results.push({ ...contact, new: !existing });
    }
    sendBatch(res, startedAt, results, errors);
  });

  router.post(`${base}/batch/read`, (req, res) => {
    const inputs = batchInputs(req, res);
    if (!inputs) return;
    const body = req.body as { idProperty?: unknown; properties?: unknown };
    const idProperty = typeof body.idProperty === 'string' ? body.idProperty : undefined;
    const requested = Array.isArray(body.properties) ? body.properties.map(String) : [];
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = text(input.id);
      const contact = contacts.find(id, idProperty);
      if (contact) results.push(view(contact, requested));
      else missing.push(id);
    }
    const errors =
      missing.length > 0
        ? [
            batchError(
              'OBJECT_NOT_FOUND',
              'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
              missing,
            ),
          ]
        : [];
    sendBatch(res, startedAt, results, errors);
  });

  router.post(`${base}/batch/archive`, (req, res) => {
    const inputs = batchInputs(req, res);
    if (!inputs) return;
    contacts.archive(inputs.map((input) => text(input.id)));
    res.status(204).end();
  });

  router.post(`${base}/gdpr-delete`, (req, res) => {
    const body = (req.body ?? {}) as { objectId?: unknown; idProperty?: unknown };
    if (typeof body.objectId !== 'string' || body.objectId.length === 0) {
      sendError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: objectId is required');
      return;
    }
    const byEmail = body.idProperty === 'email';
    const contact = contacts.find(body.objectId, byEmail ? 'email' : undefined);
    // By email, HubSpot blocks the address even when no contact has it: still a 204.
    if (!contact && !byEmail) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return;
    }
    if (contact) contacts.purge(contact);
    res.status(204).end();
  });

  router.post(base, (req, res) => {
    const given = (req.body as { properties?: unknown } | undefined)?.properties;
    if (!isRecord(given)) {
      sendError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
      return;
    }
    const values = asStrings(given);
    const problems = properties.validate(values);
    if (problems.length > 0) {
      sendInvalidValues(res, problems);
      return;
    }
    if (refuseConflicts(res, uniqueConflicts(contacts, properties, undefined, values))) return;
    res.status(201).json(contacts.write(undefined, values));
  });

  /**
   * POST /crm/v3/objects/contacts/merge: `objectIdToMerge` becomes part of `primaryObjectId`,
   * which is answered; a `contact.merge` webhook follows.
   */
  router.post(`${base}/merge`, (req, res) => {
    const body = (req.body ?? {}) as { primaryObjectId?: unknown; objectIdToMerge?: unknown };
    mergeContacts(res, text(body.primaryObjectId), text(body.objectIdToMerge));
  });

  router.get(`${base}/:id`, (req, res) => {
    const idProperty = typeof req.query.idProperty === 'string' ? req.query.idProperty : undefined;
    const contact = contacts.find(req.params.id, idProperty);
    if (!contact) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return;
    }
    res.json(view(contact, listParam(req.query.properties)));
  });

  router.patch(`${base}/:id`, (req, res) => {
    const idProperty = typeof req.query.idProperty === 'string' ? req.query.idProperty : undefined;
    const given = (req.body as { properties?: unknown } | undefined)?.properties;
    if (!isRecord(given)) {
      sendError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
      return;
    }
    const contact = contacts.find(req.params.id, idProperty);
    if (!contact) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return;
    }
    const values = asStrings(given);
    const problems = properties.validate(values);
    if (problems.length > 0) {
      sendInvalidValues(res, problems);
      return;
    }
    if (refuseConflicts(res, uniqueConflicts(contacts, properties, contact, values))) return;
    const updated = contacts.write(contact, values);
    res.json(view(updated, Object.keys(values)));
  });

  router.delete(`${base}/:id`, (req, res) => {
    contacts.archive([req.params.id]);
    res.status(204).end();
  });

  /** Merges as HubSpot's API and UI do, for the API route and the sandbox's agent action. */
  function mergeContacts(res: Response, primaryId: string, secondaryId: string): void {
    if (!primaryId || !secondaryId) {
      sendError(
        res,
        400,
        'VALIDATION_ERROR',
        'Invalid input JSON: primaryObjectId and objectIdToMerge are required',
      );
      return;
    }
    const primary = contacts.find(primaryId);
    const secondary = contacts.find(secondaryId);
    if (!primary || !secondary) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return;
    }
    if (primary === secondary) {
      sendError(res, 400, 'VALIDATION_ERROR', 'A contact cannot be merged with itself');
      return;
    }
    contacts.merge(primary, secondary);
    res.json(view(primary));
  }

  return { router, mergeContacts };
}
