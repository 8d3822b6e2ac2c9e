import express from 'express';
import { sendError } from './errors.js';
import type { PropertyStore, SandboxProperty } from './property-store.js';
import { FIELD_TYPES } from './property-store.js';

const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** HubSpot allows at most 10 unique properties per object type, contacts included. */
const MAX_UNIQUE = 10;

/** What is wrong with a POST /crm/v3/properties/contacts body, if anything. */
function createProblem(store: PropertyStore, body: Record<string, unknown>): string | undefined {
  const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter((k) => !str(body[k]));
  if (missing.length > 0) return `Missing required fields: ${missing.join(', ')}`;
  const { name, type, fieldType, groupName, options } = body as Record<string, string>;
  if (!/^[a-z][a-z0-9_]*$/.test(name!))
    return `Property name ${name} is invalid: use lower-case letters, digits and underscores`;
  const fields = FIELD_TYPES[type!];
  if (!fields) return `Invalid type ${type}: one of ${Object.keys(FIELD_TYPES).join(', ')}`;
  if (!fields.includes(fieldType!)) return `fieldType ${fieldType} is not valid for type ${type}`;
  if (!store.groups.has(groupName!)) return `Property group ${groupName} does not exist`;
  if (type === 'enumeration' && (!Array.isArray(options) || options.length === 0))
    return 'An enumeration property needs options';
  if (body.hasUniqueValue === true && type !== 'string' && type !== 'number')
    return `Only string and number properties can have unique values, not ${type}`;
  if (body.hasUniqueValue === true && store.uniqueNames().length >= MAX_UNIQUE)
    return `The contact object already has the maximum of ${MAX_UNIQUE} unique properties`;
  return undefined;
}

/** What is wrong with a PATCH /crm/v3/properties/contacts/:name body, if anything. */
function updateProblem(
  store: PropertyStore,
  property: SandboxProperty,
  body: Record<string, unknown>,
): string | undefined {
  if ('hasUniqueValue' in body) return 'hasUniqueValue can only be set when a property is created';
  if ('name' in body && body.name !== property.name) return 'A property cannot be renamed';
  if (property.hubspotDefined) return `${property.name} is a HubSpot-defined property`;
  const type = str(body.type) ?? property.type;
  const fieldType = str(body.fieldType) ?? property.fieldType;
  const fields = FIELD_TYPES[type];
  if (!fields) return `Invalid type ${type}: one of ${Object.keys(FIELD_TYPES).join(', ')}`;
  if (!fields.includes(fieldType)) return `fieldType ${fieldType} is not valid for type ${type}`;
  const groupName = str(body.groupName);
  if (groupName && !store.groups.has(groupName))
    return `Property group ${groupName} does not exist`;
  if ('options' in body) {
    if (!Array.isArray(body.options)) return 'options must be a list';
    const values = (body.options as Record<string, unknown>[]).map((o) => str(o?.value));
    if (values.some((value) => value === undefined)) return 'Every option needs a value';
    if (new Set(values).size !== values.length) return 'Option values must be unique';
  }
  return undefined;
}

const optionsOf = (options: Record<string, unknown>[]) =>
  options.map((o, i) => ({
    label: String(o.label ?? o.value),
    value: String(o.value),
    displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : i,
    hidden: o.hidden === true,
  }));

/** Properties API v3 for contacts: definitions and groups, 409 on duplicates. */
export function propertyRoutes(store: PropertyStore) {
  const router = express.Router();
  const base = '/crm/v3/properties/contacts';

  router.get(`${base}/groups`, (_req, res) => {
    res.json({ results: [...store.groups.values()] });
  });
  router.get(`${base}/groups/:name`, (req, res) => {
    const group = store.groups.get(req.params.name);
    if (group) res.json(group);
    else sendError(res, 404, 'OBJECT_NOT_FOUND', `Unable to find group ${req.params.name}`);
  });
  router.post(`${base}/groups`, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = str(body.name);
    const label = str(body.label);
    if (!name || !label) {
      sendError(res, 400, 'VALIDATION_ERROR', 'A property group needs a name and a label');
      return;
    }
    if (store.groups.has(name)) {
      sendError(
        res,
        409,
        'OBJECT_ALREADY_EXISTS',
        `Property group named '${name}' already exists.`,
      );
      return;
    }
    const displayOrder = typeof body.displayOrder === 'number' ? body.displayOrder : -1;
    const group = { name, label, displayOrder, archived: false };
    store.groups.set(name, group);
    res.status(201).json(group);
  });

  router.get(base, (_req, res) => {
    res.json({ results: [...store.properties.values()].filter((p) => !p.archived) });
  });
  router.get(`${base}/:name`, (req, res) => {
    const property = store.properties.get(req.params.name);
    if (property) res.json(property);
    else sendError(res, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${req.params.name}`);
  });
  router.post(base, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problem = createProblem(store, body);
    if (problem) {
      sendError(res, 400, 'VALIDATION_ERROR', problem);
      return;
    }
    const name = body.name as string;
    if (store.properties.has(name)) {
      sendError(res, 409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
      return;
    }
    const now = new Date().toISOString();
    const options = Array.isArray(body.options) ? (body.options as Record<string, unknown>[]) : [];
    const property: SandboxProperty = {
      name,
      label: body.label as string,
      type: body.type as string,
      fieldType: body.fieldType as string,
      description: str(body.description) ?? '',
      groupName: body.groupName as string,
      options: optionsOf(options),
      displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : -1,
      calculated: false,
      externalOptions: false,
      hasUniqueValue: body.hasUniqueValue === true,
      hidden: body.hidden === true,
      formField: body.formField === true,
      modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
      createdAt: now,
      updatedAt: now,
      archived: false,
    };
    store.properties.set(name, property);
    res.status(201).json(property);
  });

  /**
   * Updates a custom property's definition; `options`, when given, replace the whole list (the
   * way to add one: send the old ones with it). Values contacts already hold are kept.
   */
  router.patch(`${base}/:name`, (req, res) => {
    const property = store.properties.get(req.params.name);
    if (!property || property.archived) {
      sendError(res, 404, 'OBJECT_NOT_FOUND', `Unable to find property ${req.params.name}`);
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const problem = updateProblem(store, property, body);
    if (problem) {
      sendError(res, 400, 'VALIDATION_ERROR', problem);
      return;
    }
    for (const key of ['label', 'description', 'groupName', 'type', 'fieldType'] as const) {
      const value = str(body[key]);
      if (value !== undefined) property[key] = value;
    }
    if (Array.isArray(body.options))
      property.options = optionsOf(body.options as Record<string, unknown>[]);
    if (typeof body.displayOrder === 'number') property.displayOrder = body.displayOrder;
    if (typeof body.hidden === 'boolean') property.hidden = body.hidden;
    if (typeof body.formField === 'boolean') property.formField = body.formField;
    property.updatedAt = new Date().toISOString();
    res.json(property);
  });

  return router;
}
