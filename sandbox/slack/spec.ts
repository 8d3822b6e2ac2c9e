import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { specFile } from '../specs.js';

/**
 * The Slack Web API description (Swagger 2.0, from slackapi/slack-api-specs; see
 * sandbox/specs/README.md). A method's arguments are `parameters` with `in: formData` (writes)
 * or `in: query` (reads), each with a primitive `type` and `required`; the token is an
 * `in: header` parameter, checked by the emulator's auth instead. Form values arrive as text, so
 * numbers and booleans are checked the way Slack reads them ("100", "true", "1").
 */
export const DEFAULT_SLACK_SPEC = specFile('slack/web-api.openapi.json');

interface Parameter {
  name: string;
  in: string;
  type?: string;
  required?: boolean;
}
interface Swagger {
  paths: Record<string, Partial<Record<'get' | 'post', { parameters?: Parameter[] }>>>;
}

/**
 * Where the 2021 description lags today's Slack (docs.slack.dev, each method's reference page):
 * arguments it lacks and arguments Slack requires that it leaves optional. Slack answers a
 * missing `channel` on conversations.history with invalid_arguments although the file does not
 * mark it required, for instance.
 */
const ADDED: Record<string, { params?: Record<string, string>; required?: string[] }> = {
  'chat.postMessage': { params: { metadata: 'json' } },
  'conversations.history': { params: { include_all_metadata: 'boolean' }, required: ['channel'] },
  'conversations.replies': {
    params: { include_all_metadata: 'boolean' },
    required: ['channel', 'ts'],
  },
  'users.info': { required: ['user'] },
};

export interface SlackSpec {
  /** Whether the description has this method at all. */
  has(method: string): boolean;
  /** Slack's `[ERROR] ...` notes for arguments the method does not accept; [] if none. */
  check(method: string, params: Record<string, unknown>): string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    if (error.keyword === 'required')
      return `[ERROR] missing required field: ${String((error.params as { missingProperty: string }).missingProperty)}`;
    const field = error.instancePath.slice(1) || 'arguments';
    return `[ERROR] invalid type for field: ${field} (${error.message ?? 'is invalid'})`;
  });
}

/** Slack reads "1"/"0" as booleans too; Ajv's coercion only knows "true"/"false". */
function normalizeBooleans(
  schema: { properties: Record<string, { type?: string }> },
  params: Record<string, unknown>,
) {
  const copy = { ...params };
  for (const [name, property] of Object.entries(schema.properties)) {
    if (property.type !== 'boolean') continue;
    if (copy[name] === '1') copy[name] = true;
    if (copy[name] === '0') copy[name] = false;
  }
  return copy;
}

export function loadSlackSpec(specPath = DEFAULT_SLACK_SPEC): SlackSpec {
  if (!existsSync(specPath)) throw new Error(`Slack Web API description not found at ${specPath}`);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Swagger;
  // coerceTypes: form-encoded values are strings; Slack reads "100" as a number.
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: false });
  const compiled = new Map<
    string,
    { validate: ValidateFunction; schema: { properties: Record<string, { type?: string }> } }
  >();

  function validatorFor(method: string) {
    const cached = compiled.get(method);
    if (cached) return cached;
    const operation = spec.paths[`/${method}`]?.post ?? spec.paths[`/${method}`]?.get;
    if (!operation) throw new Error(`the Slack description has no method ${method}`);
    const properties: Record<string, { type?: string }> = {};
    const required = new Set<string>(ADDED[method]?.required ?? []);
    for (const parameter of operation.parameters ?? []) {
      if (parameter.in === 'header' || parameter.name === 'token') continue;
      // A string argument may arrive as JSON (blocks, attachments) in a JSON body: any value.
      properties[parameter.name] =
        parameter.type && parameter.type !== 'string' ? { type: parameter.type } : {};
      if (parameter.required) required.add(parameter.name);
    }
    for (const [name, type] of Object.entries(ADDED[method]?.params ?? {}))
      properties[name] = type === 'json' ? {} : { type };
    const schema = { type: 'object', properties, required: [...required] };
    const entry = { validate: ajv.compile(schema), schema };
    compiled.set(method, entry);
    return entry;
  }

  return {
    has: (method) => Boolean(spec.paths[`/${method}`]),
    check(method, params) {
      const { validate, schema } = validatorFor(method);
      // Validated on a copy: coercion would turn a ts such as "1503435956.000247" into a float.
      const copy = normalizeBooleans(schema, params);
      // An empty string is how a form says "absent" for a required field.
      for (const name of Object.keys(copy)) if (copy[name] === '') delete copy[name];
      return validate(copy) ? [] : describe(validate.errors);
    },
  };
}
