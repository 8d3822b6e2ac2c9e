import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Faults } from './faults.js';

/** A contact as HubSpot's CRM v3 API returns it (SimplePublicObject). */
export interface SandboxContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export interface HubSpotSandboxOptions {
  /** The one private-app token accepted; any other bearer token gets 401. */
  accessToken: string;
  faults: Faults;
}

const CATEGORY: Record<number, string> = {
  429: 'RATE_LIMITS',
  401: 'INVALID_AUTHENTICATION',
  404: 'OBJECT_NOT_FOUND',
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** HubSpot's error body: status, message, correlationId, category. */
function hubspotError(res: Response, status: number, category: string, message: string): void {
  res.status(status).json({ status: 'error', message, correlationId: randomUUID(), category });
}

export function createHubSpotSandbox(options: HubSpotSandboxOptions) {
  const contacts = new Map<string, SandboxContact>();
  let nextId = 1001;

  const byEmail = (email: string) =>
    [...contacts.values()].find((c) => c.properties.email?.toLowerCase() === email.toLowerCase());

  function write(existing: SandboxContact | undefined, properties: Record<string, string>) {
    const now = new Date().toISOString();
    if (existing) {
      existing.properties = { ...existing.properties, ...properties, lastmodifieddate: now };
      existing.updatedAt = now;
      return existing;
    }
    const id = String(nextId++);
    const contact: SandboxContact = {
      id,
      properties: { ...properties, hs_object_id: id, createdate: now, lastmodifieddate: now },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    contacts.set(id, contact);
    return contact;
  }

  const router = express.Router();
  router.use(
    '/crm',
    options.faults.middleware('hubspot', (status) => ({
      status: 'error',
      message: status === 429 ? 'You have reached your secondly limit.' : 'internal error',
      correlationId: randomUUID(),
      category: CATEGORY[status] ?? 'INTERNAL_ERROR',
    })),
  );
  router.use('/crm', express.json({ limit: '3mb' }));

  router.use('/crm', (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    if (!header.startsWith('Bearer ')) {
      hubspotError(res, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
      return;
    }
    if (header.slice('Bearer '.length) !== options.accessToken) {
      hubspotError(
        res,
        401,
        'INVALID_AUTHENTICATION',
        'Authentication credentials not found. This API supports OAuth 2.0 authentication.',
      );
      return;
    }
    next();
  });

  router.post('/crm/v3/objects/contacts', (req, res) => {
    const properties = (req.body as { properties?: Record<string, string> } | undefined)
      ?.properties;
    if (!properties || typeof properties !== 'object') {
      hubspotError(res, 400, 'VALIDATION_ERROR', 'Invalid input JSON: properties is required');
      return;
    }
    if (properties.email && !EMAIL.test(properties.email)) {
      hubspotError(
        res,
        400,
        'VALIDATION_ERROR',
        `Property values were not valid: email "${properties.email}"`,
      );
      return;
    }
    const existing = properties.email ? byEmail(properties.email) : undefined;
    if (existing) {
      hubspotError(res, 409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
      return;
    }
    res.status(201).json(write(undefined, properties));
  });

  router.get('/crm/v3/objects/contacts/:id', (req, res) => {
    const contact =
      req.query.idProperty === 'email' ? byEmail(req.params.id) : contacts.get(req.params.id);
    if (!contact || contact.archived) {
      hubspotError(res, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      return;
    }
    res.json(contact);
  });

  router.post('/crm/v3/objects/contacts/batch/upsert', (req, res) => {
    const inputs = (req.body as { inputs?: unknown } | undefined)?.inputs;
    if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > 100) {
      hubspotError(res, 400, 'VALIDATION_ERROR', 'inputs must hold between 1 and 100 records');
      return;
    }
    const startedAt = new Date().toISOString();
    const results = [];
    for (const input of inputs as {
      id?: string;
      idProperty?: string;
      properties?: Record<string, string>;
    }[]) {
      if (input.idProperty !== 'email' || !input.id || !EMAIL.test(input.id)) {
        hubspotError(
          res,
          400,
          'VALIDATION_ERROR',
          'upsert needs idProperty "email" and a valid email as id',
        );
        return;
      }
      const existing = byEmail(input.id);
      const contact = write(existing, { ...input.properties, email: input.id });
      results.push({ ...contact, new: !existing });
    }
    res.json({ status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() });
  });

  return {
    router,
    list: () => [...contacts.values()],
    reset: () => contacts.clear(),
  };
}
