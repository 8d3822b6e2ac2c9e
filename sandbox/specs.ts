import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the vendored API descriptions live (sandbox/specs, see its README). */
export const SPECS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'specs');

/** A description file, e.g. specFile('discord/openapi.json'). */
export const specFile = (relative: string): string => path.join(SPECS_DIR, relative);
