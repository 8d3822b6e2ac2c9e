import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from './errors.js';
import { ConfigError, problemsFromZod } from './errors.js';
import { interpolateEnv } from './interpolate.js';
import type { Config } from './schema.js';
import { configSchema } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'townhall.config.yaml';
export const SANDBOX_CONFIG_FILE = fileURLToPath(
  new URL('./examples/sandbox.yaml', import.meta.url),
);

export interface LoadedConfig {
  file: string;
  /** Folder the file lives in; relative paths in the config resolve against it. */
  dir: string;
  config: Config;
}

/**
 * Which file to use: the explicit one, then TOWNHALL_CONFIG, then ./townhall.config.yaml, then
 * (only when `fallbackToSandbox`) the bundled sandbox example.
 */
export function resolveConfigFile(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  fallbackToSandbox: boolean,
): string {
  const chosen = explicit ?? env.TOWNHALL_CONFIG;
  if (chosen) return path.resolve(chosen);
  const local = path.resolve(DEFAULT_CONFIG_FILE);
  if (existsSync(local) || !fallbackToSandbox) return local;
  return SANDBOX_CONFIG_FILE;
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file: ${reason}` }]);
  }
  return { file, dir: path.dirname(file), config: parseConfig(text, file, env) };
}

/** `schema`: townhall's, unless a test assembles one from its own registries. */
export function parseConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  schema: z.ZodType<Config, unknown> = configSchema,
): Config {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      file,
      document.errors.map((error) => ({ path: '', message: `YAML syntax: ${error.message}` })),
    );
  }
  let parsed: unknown;
  try {
    parsed = document.toJS();
  } catch (error) {
    // The yaml package refuses alias bombs (and too deep a document) only while building values.
    throw new ConfigError(file, [
      { path: '', message: `YAML cannot be read: ${(error as Error).message}` },
    ]);
  }
  const problems: ConfigProblem[] = [];
  const interpolated = interpolateEnv(parsed ?? {}, env, problems);
  const result = schema.safeParse(interpolated, { reportInput: true });
  if (!result.success) {
    // A field already reported as an unset variable needs no second complaint.
    const reported = new Set(problems.map((problem) => problem.path));
    problems.push(
      ...problemsFromZod(result.error).filter((problem) => !reported.has(problem.path)),
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(file, problems);
  return result.data;
}
