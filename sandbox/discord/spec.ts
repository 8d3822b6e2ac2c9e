import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { specFile } from '../specs.js';

/**
 * Discord's official OpenAPI 3.1 description (discord/discord-api-spec), kept outside the project
 * as data (sandbox/specs). It is large (1.2 MB, 150 paths); only the request bodies of the
 * operations the emulator serves are compiled, on first use, with $refs resolved inside the one
 * registered document.
 */
export const DEFAULT_DISCORD_SPEC = specFile('discord/openapi.json');

interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: unknown; parameters?: unknown[] }>>;
}

/** Discord's Invalid Form Body detail: `{ field: { _errors: [{ code, message }] } }`, nested. */
export interface FormErrors {
  [key: string]: FormErrors | { code: string; message: string }[];
}

export interface DiscordSpec {
  /** Field errors for a JSON body, shaped as in Discord's 50035 answer; undefined if valid. */
  checkBody(method: string, template: string, body: unknown): FormErrors | undefined;
  /** The same for query parameters, each checked against its declared schema. */
  checkQuery(
    method: string,
    template: string,
    query: Record<string, unknown>,
  ): FormErrors | undefined;
}

const SNOWFLAKE = /^(0|[1-9][0-9]*)$/;

/** The error code Discord uses for each kind of failure, by Ajv keyword. */
function discordCode(error: ErrorObject): { code: string; message: string } {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' };
    case 'maxLength':
    case 'maxItems':
      return {
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${String(params.limit)} or fewer in length.`,
      };
    case 'minLength':
    case 'minItems':
      return {
        code: 'BASE_TYPE_MIN_LENGTH',
        message: `Must be ${String(params.limit)} or more in length.`,
      };
    case 'maximum':
      return {
        code: 'NUMBER_TYPE_MAX',
        message: `int value should be less than or equal to ${String(params.limit)}.`,
      };
    case 'minimum':
      return {
        code: 'NUMBER_TYPE_MIN',
        message: `int value should be greater than or equal to ${String(params.limit)}.`,
      };
    case 'pattern':
    case 'format':
      return { code: 'NUMBER_TYPE_COERCE', message: 'Value is not snowflake.' };
    case 'enum':
      return { code: 'BASE_TYPE_CHOICES', message: 'Value must be one of the allowed choices.' };
    case 'type': {
      const wanted = [params.type].flat().filter((type) => type !== 'null');
      if (wanted.includes('integer') || wanted.includes('number'))
        return { code: 'NUMBER_TYPE_COERCE', message: 'Value is not int.' };
      if (wanted.includes('boolean'))
        return { code: 'BOOLEAN_TYPE_COERCE', message: 'Value must be one of {True, False}.' };
      if (wanted.includes('array'))
        return { code: 'LIST_TYPE_CONVERT', message: 'Only iterables may be used in a ListType' };
      if (wanted.includes('object'))
        return {
          code: 'DICT_TYPE_CONVERT',
          message: 'Only dictionaries may be used in a DictType',
        };
      return { code: 'BASE_TYPE_BAD_TYPE', message: 'Could not interpret value as a string.' };
    }
    default:
      return { code: 'BASE_TYPE_INVALID', message: error.message ?? 'Invalid value.' };
  }
}

/**
 * Ajv's errors as Discord nests them. Errors from the `null` branch of a nullable oneOf and the
 * oneOf summaries themselves say nothing a Discord client would see, so they are dropped.
 */
export function toFormErrors(errors: ErrorObject[]): FormErrors | undefined {
  const result: FormErrors = {};
  let any = false;
  // Where a value failed a union both on type and on something else, the type errors come from
  // the branches made for other types (a nonce string is not the integer alternative).
  const constrained = new Set(
    errors
      .filter((e) => !['type', 'oneOf', 'anyOf'].includes(e.keyword))
      .map((e) => e.instancePath),
  );
  for (const error of errors) {
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const params = error.params as { type?: unknown; missingProperty?: string };
    if (error.keyword === 'type' && params.type === 'null') continue;
    if (error.keyword === 'type' && constrained.has(error.instancePath)) continue;
    const segments = error.instancePath.split('/').slice(1);
    if (error.keyword === 'required' && params.missingProperty)
      segments.push(params.missingProperty);
    if (segments.length === 0) segments.push('_body');
    let node = result;
    for (const segment of segments) {
      const child = node[segment];
      node = child && !Array.isArray(child) ? child : (node[segment] = {});
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    const entry = discordCode(error);
    if (!list.some((existing) => existing.code === entry.code)) list.push(entry);
    any = true;
  }
  return any ? result : undefined;
}

export function loadDiscordSpec(specPath = DEFAULT_DISCORD_SPEC): DiscordSpec {
  if (!existsSync(specPath))
    throw new Error(`Discord OpenAPI description not found at ${specPath}`);
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OpenApi;
  // strict: false because OpenAPI adds keywords JSON Schema lacks (example, deprecated).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  formats.default(ajv);
  // Discord's own formats: snowflakes are decimal strings; the rest are plain numbers/strings.
  ajv.addFormat('snowflake', SNOWFLAKE);
  ajv.addFormat('nonce', true);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addSchema(spec, 'discord-openapi');
  const compiled = new Map<string, ValidateFunction | null>();

  function validatorFor(method: string, template: string): ValidateFunction | null {
    const key = `${method} ${template}`;
    if (compiled.has(key)) return compiled.get(key) ?? null;
    const operation = spec.paths[template]?.[method];
    if (!operation) throw new Error(`the Discord spec has no operation ${key}`);
    const body = operation.requestBody as
      { content?: Record<string, { schema?: unknown }> } | undefined;
    const hasSchema = body?.content?.['application/json']?.schema !== undefined;
    const pointer = `discord-openapi#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
    const validate = hasSchema ? (ajv.getSchema(pointer) ?? null) : null;
    compiled.set(key, validate);
    return validate;
  }

  /** Query parameters arrive as text; integers are read as numbers before checking. */
  function queryValidators(method: string, template: string) {
    const key = `query ${method} ${template}`;
    const cached = queryCompiled.get(key);
    if (cached) return cached;
    const item = spec.paths[template];
    const params = [
      ...((item?.parameters as unknown[]) ?? []),
      ...(item?.[method]?.parameters ?? []),
    ];
    const escaped = template.replace(/~/g, '~0').replace(/\//g, '~1');
    const validators = params.flatMap((param, index) => {
      const p = param as { name?: string; in?: string; schema?: { type?: unknown } };
      if (p.in !== 'query' || !p.name || !p.schema) return [];
      const own = index >= ((item?.parameters as unknown[]) ?? []).length;
      const at = own
        ? `${escaped}/${method}/parameters/${index - ((item?.parameters as unknown[]) ?? []).length}`
        : `${escaped}/parameters/${index}`;
      const validate = ajv.getSchema(`discord-openapi#/paths/${at}/schema`);
      const numeric = p.schema.type === 'integer' || p.schema.type === 'number';
      return validate ? [{ name: p.name, numeric, validate }] : [];
    });
    queryCompiled.set(key, validators);
    return validators;
  }
  const queryCompiled = new Map<
    string,
    { name: string; numeric: boolean; validate: ValidateFunction }[]
  >();

  return {
    checkBody(method, template, body) {
      const validate = validatorFor(method, template);
      if (!validate || validate(body ?? {})) return undefined;
      return toFormErrors(validate.errors ?? []);
    },
    checkQuery(method, template, query) {
      const errors: ErrorObject[] = [];
      for (const { name, numeric, validate } of queryValidators(method, template)) {
        const raw = query[name];
        if (raw === undefined) continue;
        const value = numeric && typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
        if (!validate(value))
          errors.push(
            ...(validate.errors ?? []).map((e) => ({
              ...e,
              instancePath: `/${name}${e.instancePath}`,
            })),
          );
      }
      return toFormErrors(errors);
    },
  };
}
