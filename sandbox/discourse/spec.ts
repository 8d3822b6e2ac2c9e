import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { specFile } from '../specs.js';

/**
 * The official Discourse OpenAPI description, kept outside the project as data
 * (sandbox/specs, see its README). Its schemas are JSON Schema 2020-12 (OpenAPI 3.1) and,
 * today, hold no $ref; Ajv resolves any that appear once the whole document is registered.
 */
export const DEFAULT_DISCOURSE_SPEC = specFile('discourse/openapi.json');

type Method = 'get' | 'post' | 'put' | 'delete';

interface OpenApi {
  paths: Record<string, Partial<Record<Method, { requestBody?: unknown }>>>;
}

export interface SpecValidator {
  /** Problems with a JSON request body for `method` on the spec's `template` path; [] if none. */
  check(method: Method, template: string, body: unknown): string[];
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'body';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})`
        : '';
    return `${where} ${error.message ?? 'is invalid'}${extra}`;
  });
}

/** Compiles each operation's requestBody schema once, on first use. */
export function loadDiscourseSpec(specPath = DEFAULT_DISCOURSE_SPEC): SpecValidator {
  if (!existsSync(specPath))
    throw new Error(`Discourse OpenAPI description not found at ${specPath}`);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApi;
  // strict: false because OpenAPI adds keywords JSON Schema lacks (example, deprecated).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formats.default(ajv);
  ajv.addSchema(spec, 'discourse-openapi');
  const compiled = new Map<string, ValidateFunction | null>();

  function validatorFor(method: Method, template: string): ValidateFunction | null {
    const key = `${method} ${template}`;
    if (compiled.has(key)) return compiled.get(key) ?? null;
    const operation = spec.paths[template]?.[method];
    if (!operation) throw new Error(`the Discourse spec has no operation ${key}`);
    const body = operation.requestBody as
      { content?: Record<string, { schema?: unknown }> } | undefined;
    const hasSchema = body?.content?.['application/json']?.schema !== undefined;
    // A JSON pointer into the registered document keeps any $ref resolvable.
    const pointer = `discourse-openapi#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
    const validate = hasSchema ? (ajv.getSchema(pointer) ?? null) : null;
    compiled.set(key, validate);
    return validate;
  }

  return {
    check(method, template, body) {
      const validate = validatorFor(method, template);
      if (!validate || validate(body ?? {})) return [];
      return describe(validate.errors);
    },
  };
}
