import { z } from 'zod';

/** Ports may come from `${ENV}` interpolation as text; only whole numbers are accepted. */
export const port = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.number().int().min(1).max(65_535),
);

/** True for a time zone name Intl knows (UTC, Europe/Berlin ...). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** YAML reads `adminId: 991267900` as a number; vendor ids are strings. */
export const numericId = z
  .union([z.string().min(1), z.number().int().nonnegative()])
  .transform(String);
