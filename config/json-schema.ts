import { z } from 'zod';
import { configSchema } from './schema.js';

/** JSON Schema of the file as written (input side), for editor autocomplete. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' });
}
