import express from 'express';
import type { Request, Response } from 'express';
import { batchError, invalidValuesMessage, sendError, sendInvalidValues } from './errors.js';
import type { PropertyStore } from './property-store.js';
import type { ContactStore } from './store.js';
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

/** CRM v3 contacts: single-object CRUD, batch upsert/read/archive and GDPR delete. */
export function contactRoutes(contacts: ContactStore, properties: PropertyStore) {
  const router = express.Router();
  const base = '/crm/v3/objects/contacts';

  router.post(`${base}/batch/upsert`, (req, res) => {
    const inputs = batchInputs(req, res);
    if (!inputs) return;
    if (inputs.some((input) => input.idProperty !== 'email')) {
      sendError(res, 400, 'VALIDATION_ERROR', 'idProperty must be "email" (a unique property)');
      return;
    }
    const ids = inputs.map((input) => text(input.id).toLowerCase());
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
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
      const id = typeof input.id === 'string' ? input.id : '';
      const values = asStrings(isRecord(input.properties) ? input.properties : {});
      const problems = EMAIL.test(id)
        ? properties.validate({ ...values, email: id })
        : [{ name: 'email', error: 'INVALID_EMAIL', message: `Email address ${id} is invalid` }];
      if (problems.length > 0) {
        errors.push(batchError('VALIDATION_ERROR', invalidValuesMessage(problems), [id], problems));
        continue;
      }
      const existing = contacts.byEmail(id);
      const contact = contacts.write(existing, {
        ...values,
        email: existing?.properties.email ?? id,
      });
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
    const existing = values.email ? contacts.byEmail(values.email) : undefined;
    if (existing) {
      sendError(res, 409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
      return;
    }
    res.status(201).json(contacts.write(undefined, values));
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
    const updated = contacts.write(contact, values);
    res.json(view(updated, Object.keys(values)));
  });

  router.delete(`${base}/:id`, (req, res) => {
    contacts.archive([req.params.id]);
    res.status(204).end();
  });

  return router;
}
