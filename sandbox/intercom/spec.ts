import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import YAML from 'yaml';
import { specFile } from '../specs.js';

/**
 * Intercom's own OpenAPI description of REST API 2.14 (intercom/Intercom-OpenAPI, kept outside
 * the project as data: sandbox/specs, see its README). It is OpenAPI 3.0, so its schemas are
 * JSON Schema draft-07-like plus `nullable`, which is rewritten here into JSON Schema terms
 * before the whole document is registered with Ajv (so every `$ref` to components resolves).
 */
export const DEFAULT_INTERCOM_SPEC = specFile('intercom/api-2.14.openapi.yaml');

export type Method = 'get' | 'post' | 'put' | 'delete';

interface OpenApi {
  paths: Record<string, Partial<Record<Method, { requestBody?: unknown }>>>;
  components: { schemas: Record<string, unknown> };
}

/** A problem with a request body: `missing` (a required field) or `invalid` (anything else). */
export interface SpecProblem {
  kind: 'missing' | 'invalid';
  message: string;
}

export interface IntercomSpec {
  /** Whether the description has this operation (path template as written in the spec). */
  has(method: Method, template: string): boolean;
  /** Problems with a JSON request body for the operation; [] when it conforms. */
  check(method: Method, template: string, body: unknown): SpecProblem[];
  /** The API versions the description knows (the Intercom-Version parameter's enum). */
  versions: readonly string[];
}

/** `nullable: true` (OpenAPI 3.0) → a null-accepting JSON Schema; examples are left alone. */
function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'example' || key === 'examples' ? value : withoutNullable(value);
  }
  if (!('nullable' in out)) return out;
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function describe(errors: ErrorObject[] | null | undefined): SpecProblem[] {
  // oneOf/anyOf report every branch; the leaf errors say what is wrong, the summary adds noise.
  const leaves = (errors ?? []).filter((e) => !['oneOf', 'anyOf', 'allOf'].includes(e.keyword));
  const seen = new Set<string>();
  const problems: SpecProblem[] = [];
  for (const error of leaves.length > 0 ? leaves : (errors ?? [])) {
    const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
    const message = `${where} ${error.message ?? 'is invalid'}`;
    if (seen.has(message)) continue;
    seen.add(message);
    problems.push({ kind: error.keyword === 'required' ? 'missing' : 'invalid', message });
  }
  return problems;
}

const loaded = new Map<string, IntercomSpec>();

/** Parses the description once per process (about half a second) and compiles on first use. */
export function loadIntercomSpec(specPath = DEFAULT_INTERCOM_SPEC): IntercomSpec {
  const cached = loaded.get(specPath);
  if (cached) return cached;
  if (!existsSync(specPath))
    throw new Error(`Intercom OpenAPI description not found at ${specPath}`);
  const raw = YAML.parse(readFileSync(specPath, 'utf8')) as OpenApi;
  const spec = withoutNullable(raw) as OpenApi;
  // strict: false because OpenAPI adds keywords JSON Schema lacks (example, x-tags...).
  const ajv = new Ajv({ strict: false, allErrors: true });
  formats.default(ajv);
  // The description says `format: uuid` with length 24 for contact ids (Mongo-style hex ids,
  // which Intercom accepts); a real UUID is accepted too, as in reply_options.
  ajv.addFormat('uuid', /^(?:[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}|[0-9a-f]{24})$/i);
  // Unix seconds; the type (integer) is what is checked.
  ajv.addFormat('timestamp', true);
  ajv.addSchema(spec, 'intercom-openapi');
  const compiled = new Map<string, ValidateFunction | null>();

  const versionSchema = spec.components.schemas.intercom_version as { enum?: string[] };

  function validatorFor(method: Method, template: string): ValidateFunction | null {
    const key = `${method} ${template}`;
    if (compiled.has(key)) return compiled.get(key) ?? null;
    const operation = spec.paths[template]?.[method];
    if (!operation) throw new Error(`the Intercom spec has no operation ${key}`);
    const body = operation.requestBody as
      { content?: Record<string, { schema?: unknown }> } | undefined;
    const hasSchema = body?.content?.['application/json']?.schema !== undefined;
    const pointer = `intercom-openapi#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
    const validate = hasSchema ? (ajv.getSchema(pointer) ?? null) : null;
    compiled.set(key, validate);
    return validate;
  }

  const result: IntercomSpec = {
    has: (method, template) => spec.paths[template]?.[method] !== undefined,
    check(method, template, body) {
      const validate = validatorFor(method, template);
      if (!validate || validate(body ?? {})) return [];
      return describe(validate.errors);
    },
    versions: versionSchema.enum ?? [],
  };
  loaded.set(specPath, result);
  return result;
}
