// The deployable stack's compose side (docker-compose.yml, .env.example), read without a
// Docker engine: interpolated and checked as Compose does it, against the Compose
// specification's JSON Schema (vendored in sandbox/specs/compose/), and the variables the code
// and the sandbox config read. Everything is read once, when a test file imports this.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

export type Doc = Record<string, unknown>;
export type Service = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Compose: interpolation (the rules of the Compose specification's "Interpolation" section)

/** `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME:+alt}`, `$NAME`. */
const COMPOSE_VARIABLE =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** The variables a compose document interpolates (in values: Compose never reads comments). */
export function composeVariables(value: unknown, names = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(COMPOSE_VARIABLE)) {
      const name = match[2] ?? match[5];
      if (name) names.add(name);
    }
  } else if (Array.isArray(value)) value.forEach((item) => composeVariables(item, names));
  else if (value && typeof value === 'object')
    Object.values(value).forEach((item) => composeVariables(item, names));
  return names;
}

export function interpolate(
  value: string,
  env: Record<string, string>,
  problems: string[],
): string {
  return value.replace(
    COMPOSE_VARIABLE,
    (
      _all: string,
      dollar: string | undefined,
      braced: string | undefined,
      operator: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (dollar) return '$';
      const name = (braced ?? bare)!;
      const found = env[name];
      const set = found !== undefined;
      const nonEmpty = set && found !== '';
      const present = operator?.startsWith(':') ? nonEmpty : set;
      switch (operator?.replace(':', '')) {
        case '-':
          return present ? found! : arg!;
        case '?':
          if (!present) problems.push(`${name} is not set: ${arg}`);
          return found ?? '';
        case '+':
          return present ? arg! : '';
        default:
          return found ?? '';
      }
    },
  );
}

/** Interpolates every string value (never a key), as Compose does after parsing the YAML. */
export function interpolateDoc(
  value: unknown,
  env: Record<string, string>,
  problems: string[],
): unknown {
  if (typeof value === 'string') return interpolate(value, env, problems);
  if (Array.isArray(value)) return value.map((item) => interpolateDoc(item, env, problems));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateDoc(item, env, problems)]),
    );
  }
  return value;
}

/** YAML with merge keys (`<<: *anchor`) resolved, as Compose reads it. */
export const parseCompose = (text: string) => parse(text, { merge: true }) as Doc;

// ---------------------------------------------------------------------------------------------
// Compose: validation against the vendored specification, plus what Compose checks at load time

const specText = read('sandbox/specs/compose/compose-spec.json');
export const { $schema: composeDraft, ...composeSchema } = JSON.parse(specText) as Doc;
// The spec declares draft-07, which is Ajv's default class; its `$schema` spells the draft-07
// URI with https and no '#', which Ajv does not know, so a test checks it and it is left out here.
// strict: false because the spec uses `deprecated`, an annotation from a later draft.
const ajv = new Ajv({ strict: false, allErrors: true });
const validateCompose = ajv.compile(composeSchema);

const RESTART_POLICY = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

export const services = (doc: Doc) => (doc.services ?? {}) as Record<string, Service>;

export function composeProblems(doc: Doc): string[] {
  const problems: string[] = [];
  if (!validateCompose(doc)) {
    for (const error of validateCompose.errors ?? [])
      problems.push(
        `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`,
      );
  }
  const names = new Set(Object.keys(services(doc)));
  const volumes = new Set(Object.keys(doc.volumes ?? {}));
  for (const [name, service] of Object.entries(services(doc))) {
    // Every service declares a restart policy. The schema types `restart` as any string; the
    // engine refuses anything else, but only when it creates the container.
    if (typeof service.restart !== 'string' || !RESTART_POLICY.test(service.restart))
      problems.push(`services.${name}.restart: ${String(service.restart)} is not a restart policy`);
    const dependsOn = service.depends_on ?? [];
    for (const target of Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn))
      if (!names.has(target as string))
        problems.push(`services.${name}.depends_on: no service ${String(target)}`);
    const networkMode = service.network_mode;
    if (typeof networkMode === 'string' && networkMode.startsWith('service:'))
      if (!names.has(networkMode.slice('service:'.length)))
        problems.push(`services.${name}.network_mode: no service ${networkMode}`);
    for (const volume of (service.volumes ?? []) as unknown[]) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : (volume as Doc).source;
      const named = typeof source === 'string' && !/^[./~]/.test(source) && source !== '';
      const type = typeof volume === 'string' ? 'volume' : (volume as Doc).type;
      if (named && type === 'volume' && !volumes.has(source))
        problems.push(`services.${name}.volumes: named volume ${source} is not declared`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// The environment: what .env.example sets, what the code reads

function parseEnvFile(text: string) {
  const entries: { name: string; value: string; commented: boolean }[] = [];
  let blockHasComment = false;
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') blockHasComment = false;
    else if (line.startsWith('#')) blockHasComment = true;
    else {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (!match) throw new Error(`.env.example: not NAME=value: ${line}`);
      // Quotes are Compose's (and a shell's) to strip: the value is what is inside.
      const value = /^(["'])(.*)\1$/.exec(match[2]!)?.[2] ?? match[2]!;
      entries.push({ name: match[1]!, value, commented: blockHasComment });
    }
  }
  return entries;
}

/** Names read as `process.env.NAME`, `env.NAME` or `env['NAME']` in source text. */
export function envReads(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of [
    /\b(?:process\.)?env\.([A-Z_][A-Z0-9_]*)\b/g,
    /\b(?:process\.)?env\[\s*['"]([A-Z_][A-Z0-9_]*)['"]\s*\]/g,
  ])
    for (const match of source.matchAll(pattern)) found.add(match[1]!);
  return [...found];
}

/** `${NAME}` and `${NAME:-default}` in a townhall config file (config/interpolate.ts). */
const configVariables = (text: string) =>
  [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((m) => m[1]!);

const SKIP_DIRS = new Set(['node_modules', '.git', '.townhall', 'coverage', 'tests', 'bench']);

/** The TypeScript the image runs (everything but tests, benchmarks and dependencies). */
function sourceFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIP_DIRS.has(entry.name) ? [] : sourceFiles(full);
    return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The config file the demo services use, and the one a deployment's config starts from. */
export const SANDBOX_CONFIG = 'config/examples/sandbox.yaml';
export const PRODUCTION_CONFIG = 'config/examples/production.yaml';

export const codeReads = new Set(
  sourceFiles().flatMap((file) => envReads(readFileSync(file, 'utf8'))),
);
const configReads = new Set(
  [SANDBOX_CONFIG, PRODUCTION_CONFIG].flatMap((file) => configVariables(read(file))),
);
export const readByTownhall = new Set([...codeReads, ...configReads]);

/** Variables Docker Compose itself reads from .env (not interpolated, not passed on). */
export const COMPOSE_OWN_VARIABLES = new Set([
  'COMPOSE_PROFILES',
  'COMPOSE_PROJECT_NAME',
  'COMPOSE_FILE',
]);

export const composeText = read('docker-compose.yml');
export const envExample = parseEnvFile(read('.env.example'));
export const exampleEnv = Object.fromEntries(envExample.map((e) => [e.name, e.value]));

function loadCompose(text: string) {
  const problems: string[] = [];
  const doc = interpolateDoc(parseCompose(text), exampleEnv, problems) as Doc;
  return { doc, problems };
}
export const compose = loadCompose(composeText);
export const rawCompose = parseCompose(composeText);

/** The services that run the townhall image (the ones built from this repository). */
export const townhallServices = (doc: Doc) =>
  Object.entries(services(doc)).filter(([, service]) => service.build !== undefined);

export const environmentNames = (service: Service): string[] => {
  const environment = service.environment ?? {};
  return Array.isArray(environment)
    ? environment.map((entry) => String(entry).split('=')[0]!)
    : Object.keys(environment);
};

/** Environment names a townhall service is given that nothing in townhall reads. */
export function unreadEnvironment(doc: Doc): string[] {
  return townhallServices(doc).flatMap(([name, service]) =>
    environmentNames(service)
      .filter((variable) => !readByTownhall.has(variable))
      .map((variable) => `services.${name}.environment.${variable}`),
  );
}
