/**
 * Reading the payloads people give the emitters (`POST /_sandbox/<vendor>/emit`): the vendor's
 * own shapes, or the short forms the sandbox accepts. A field of the wrong type or a missing one
 * the vendor always sends is a PayloadError whose message names it by its path in the body, e.g.
 * `d.author.id is required`, which the emitter answers with 400.
 */

export type Json = Record<string, unknown>;

export class PayloadError extends Error {}

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of one object in the body, named by their path (`d.author`) in any error. */
export interface Fields {
  readonly path: string;
  readonly value: Json;
  /** The field's path, e.g. `d.author.id`. */
  name(key: string): string;
  /** A string field, or undefined when it is absent or null. */
  string(key: string): string | undefined;
  requireString(key: string): string;
  number(key: string): number | undefined;
  boolean(key: string): boolean | undefined;
  /** A nested object, or undefined when it is absent or null. */
  object(key: string): Fields | undefined;
  requireObject(key: string): Fields;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function typed<T>(kind: string, check: (value: unknown) => value is T) {
  return (fields: Fields, key: string): T | undefined => {
    const value = fields.value[key];
    if (value === undefined || value === null) return undefined;
    if (!check(value)) throw new PayloadError(`${fields.name(key)} must be ${kind}`);
    return value;
  };
}
const readString = typed('a string', (value): value is string => typeof value === 'string');
const readNumber = typed('a number', (value): value is number => typeof value === 'number');
const readBoolean = typed('true or false', (v): v is boolean => typeof v === 'boolean');
const readObject = typed('an object', isObject);

/** The fields of `value`, which must be an object; `path` is where it sits in the body. */
export function fieldsOf(value: unknown, path = ''): Fields {
  if (!isObject(value)) throw new PayloadError(`${path || 'the body'} must be an object`);
  const fields: Fields = {
    path,
    value,
    name: (key) => join(path, key),
    string: (key) => readString(fields, key),
    requireString(key) {
      const text = readString(fields, key);
      if (text === undefined || text === '')
        throw new PayloadError(`${join(path, key)} is required`);
      return text;
    },
    number: (key) => readNumber(fields, key),
    boolean: (key) => readBoolean(fields, key),
    object(key) {
      const nested = readObject(fields, key);
      return nested === undefined ? undefined : fieldsOf(nested, join(path, key));
    },
    requireObject(key) {
      const nested = fields.object(key);
      if (!nested) throw new PayloadError(`${join(path, key)} is required`);
      return nested;
    },
  };
  return fields;
}
