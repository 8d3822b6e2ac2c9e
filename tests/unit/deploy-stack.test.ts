import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * The deployable stack (docker-compose.yml, Dockerfile, .dockerignore, .env.example), checked
 * without a Docker engine: the compose file against the Compose specification's JSON Schema
 * (vendored in sandbox/specs/compose/), its variables against the code, its commands against
 * the CLI, and the Dockerfile's shape.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Doc = Record<string, unknown>;
type Service = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Compose: interpolation (the rules of the Compose specification's "Interpolation" section)

/** `$$`, `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME:+alt}`, `$NAME`. */
const COMPOSE_VARIABLE =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** The variables a compose document interpolates (in values: Compose never reads comments). */
function composeVariables(value: unknown, names = new Set<string>()): Set<string> {
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

function interpolate(value: string, env: Record<string, string>, problems: string[]): string {
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
function interpolateDoc(value: unknown, env: Record<string, string>, problems: string[]): unknown {
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
const parseCompose = (text: string) => parse(text, { merge: true }) as Doc;

// ---------------------------------------------------------------------------------------------
// Compose: validation against the vendored specification, plus what Compose checks at load time

const specText = read('sandbox/specs/compose/compose-spec.json');
const { $schema: composeDraft, ...composeSchema } = JSON.parse(specText) as Doc;
// The spec declares draft-07, which is Ajv's default class; its `$schema` spells the draft-07
// URI with https and no '#', which Ajv does not know, so it is checked below and left out here.
// strict: false because the spec uses `deprecated`, an annotation from a later draft.
const ajv = new Ajv({ strict: false, allErrors: true });
const validateCompose = ajv.compile(composeSchema);

const RESTART_POLICY = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;

const services = (doc: Doc) => (doc.services ?? {}) as Record<string, Service>;

function composeProblems(doc: Doc): string[] {
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
      entries.push({ name: match[1]!, value: match[2]!, commented: blockHasComment });
    }
  }
  return entries;
}

/** Names read as `process.env.NAME`, `env.NAME` or `env['NAME']` in source text. */
function envReads(source: string): string[] {
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
const SANDBOX_CONFIG = 'config/examples/sandbox.yaml';

const codeReads = new Set(sourceFiles().flatMap((file) => envReads(readFileSync(file, 'utf8'))));
const configReads = new Set(configVariables(read(SANDBOX_CONFIG)));
const readByTownhall = new Set([...codeReads, ...configReads]);

/** Variables Docker Compose itself reads from .env (not interpolated, not passed on). */
const COMPOSE_OWN_VARIABLES = new Set(['COMPOSE_PROFILES', 'COMPOSE_PROJECT_NAME', 'COMPOSE_FILE']);

const composeText = read('docker-compose.yml');
const envExample = parseEnvFile(read('.env.example'));
const exampleEnv = Object.fromEntries(envExample.map((e) => [e.name, e.value]));

function loadCompose(text: string) {
  const problems: string[] = [];
  const doc = interpolateDoc(parseCompose(text), exampleEnv, problems) as Doc;
  return { doc, problems };
}
const compose = loadCompose(composeText);
const rawCompose = parseCompose(composeText);

/** The services that run the townhall image (the ones built from this repository). */
const townhallServices = (doc: Doc) =>
  Object.entries(services(doc)).filter(([, service]) => service.build !== undefined);

const environmentNames = (service: Service): string[] => {
  const environment = service.environment ?? {};
  return Array.isArray(environment)
    ? environment.map((entry) => String(entry).split('=')[0]!)
    : Object.keys(environment);
};

/** Environment names a townhall service is given that nothing in townhall reads. */
function unreadEnvironment(doc: Doc): string[] {
  return townhallServices(doc).flatMap(([name, service]) =>
    environmentNames(service)
      .filter((variable) => !readByTownhall.has(variable))
      .map((variable) => `services.${name}.environment.${variable}`),
  );
}

// ---------------------------------------------------------------------------------------------
// The CLI: `townhall --help`, run once

function cliCommands(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => /^Commands:\s*$/.test(line));
  if (start < 0) throw new Error(`no Commands: section in the help:\n${help}`);
  const commands: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next section
    const match = /^ {2}([a-z][\w-]*)/.exec(line); // continuation lines are indented further
    if (match) commands.push(match[1]!);
  }
  return commands;
}

let helpOutput: string | undefined;
function townhallHelp(): string {
  helpOutput ??= execFileSync(process.execPath, ['bin/townhall.js', '--help'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return helpOutput;
}

/** `[node, bin/townhall.js, <command>, ...]`: the command, or a problem. */
function townhallCommand(command: unknown): { command?: string; problem?: string } {
  const argv = typeof command === 'string' ? command.split(/\s+/) : (command as string[]);
  if (!Array.isArray(argv) || argv[0] !== 'node' || argv[1] !== 'bin/townhall.js' || !argv[2])
    return { problem: `${JSON.stringify(command)} is not node bin/townhall.js <command>` };
  return { command: argv[2] };
}

function unknownCommands(doc: Doc, known: string[]): string[] {
  return townhallServices(doc).flatMap(([name, service]) => {
    const { command, problem } = townhallCommand(service.command);
    if (problem) return [`services.${name}.command: ${problem}`];
    return known.includes(command!) ? [] : [`services.${name}.command: no CLI command ${command}`];
  });
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}

function dockerfileStages(text: string): Instruction[][] {
  const instructions = text
    .replace(/\\\r?\n/g, ' ') // line continuations
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const envAssignments = (args: string) =>
  Object.fromEntries(
    [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g)].map((m) => [
      m[1]!,
      m[2]!.replace(/^["']|["']$/g, ''),
    ]),
  );

/** The exec-form CMD as an argv, or the shell form split on spaces. */
function cmdArgv(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = dockerfileStages(text);
  if (stages.length < 2) problems.push('not multi-stage: one FROM');
  const final = stages.at(-1) ?? [];
  const image = (stage: Instruction[]) => stage[0]?.args.split(/\s+/)[0];
  const stageName = (stage: Instruction[]) => /\bAS\s+(\S+)/i.exec(stage[0]?.args ?? '')?.[1];
  if (image(final) !== 'node:20-slim')
    problems.push(`the final stage is FROM ${image(final)}, not node:20-slim`);

  // Dependencies: `npm ci --omit=dev` in an earlier stage, its node_modules copied into the last.
  const deps = stages
    .slice(0, -1)
    .find((stage) =>
      stage.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args)),
    );
  if (!deps) problems.push('no earlier stage runs npm ci --omit=dev');
  else if (image(deps) !== 'node:20-slim') problems.push(`the deps stage is FROM ${image(deps)}`);
  else if (
    !final.some(
      (i) =>
        i.keyword === 'COPY' &&
        i.args.includes(`--from=${stageName(deps)}`) &&
        i.args.includes('node_modules'),
    )
  )
    problems.push('the final stage does not copy node_modules from the deps stage');

  const users = final.filter((i) => i.keyword === 'USER').map((i) => i.args.split(':')[0]);
  const user = users.at(-1);
  if (user === undefined || user === 'root' || user === '0')
    problems.push(`the final stage runs as ${user ?? 'root (no USER)'}`);

  const healthcheck = final.find((i) => i.keyword === 'HEALTHCHECK');
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args) || !healthcheck.args.includes('/readyz'))
    problems.push('no HEALTHCHECK on /readyz in the final stage');

  // The workflow bundle: built in the final stage, into the TOWNHALL_DATA_DIR the worker reads.
  let env: Record<string, string> = {};
  let bundleDir: string | undefined;
  for (const instruction of final) {
    if (instruction.keyword === 'ENV') env = { ...env, ...envAssignments(instruction.args) };
    if (instruction.keyword === 'RUN' && /\bbin\/townhall\.js bundle\b/.test(instruction.args))
      bundleDir = envAssignments(instruction.args).TOWNHALL_DATA_DIR ?? env.TOWNHALL_DATA_DIR;
  }
  if (!bundleDir) problems.push('the final stage does not build the bundle into TOWNHALL_DATA_DIR');
  else if (env.TOWNHALL_DATA_DIR !== bundleDir)
    problems.push(
      `bundle built in ${bundleDir}, but the image's TOWNHALL_DATA_DIR is ${env.TOWNHALL_DATA_DIR}`,
    );

  const cmd = final.filter((i) => i.keyword === 'CMD').at(-1);
  if (!cmd) problems.push('no CMD');
  return problems;
}

const dockerfile = read('Dockerfile');

// ---------------------------------------------------------------------------------------------
// .dockerignore (Docker's rules: patterns from the context root, `**`, `!` re-includes, last
// match wins, a matched directory excludes everything under it)

function globSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      // `**` spans directories; `**/` also matches no directory at all.
      i += 1;
      if (pattern[i + 1] === '/') {
        i += 1;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}

function dockerignore(text: string): (file: string) => boolean {
  const rules = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
      return { negated, regex: new RegExp(`^${globSource(pattern)}(?:/.*)?$`) };
    });
  return (file) => {
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(file)) ignored = !rule.negated;
    return ignored;
  };
}

/** What the image needs at run time: the CLI, sources, config example, vendored specs, lock. */
const IMAGE_NEEDS = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'bin/townhall.js',
  'bin/cli.ts',
  'workflows/index.ts',
  'runtime/settings.ts',
  SANDBOX_CONFIG,
  'sandbox/specs/discord/openapi.json',
];
/** What must never reach the build context. */
const IMAGE_EXCLUDES = [
  'node_modules/yaml/package.json',
  '.git/HEAD',
  '.env',
  '.townhall/pglite/PG_VERSION',
  'tests/unit/deploy-stack.test.ts',
];

function dockerignoreProblems(text: string): string[] {
  const ignored = dockerignore(text);
  return [
    ...IMAGE_EXCLUDES.filter((file) => !ignored(file)).map((file) => `${file} is not excluded`),
    ...IMAGE_NEEDS.filter((file) => ignored(file)).map((file) => `${file} is excluded`),
  ];
}

// =============================================================================================

describe('docker-compose.yml', () => {
  it('is checked with the schema class its spec declares (draft-07: Ajv’s default)', () => {
    expect(composeDraft).toMatch(/^https?:\/\/json-schema\.org\/draft-07\/schema#?$/);
  });

  it('is a valid Compose file: the spec’s JSON Schema, and what Compose checks on load', () => {
    expect(compose.problems).toEqual([]);
    expect(composeProblems(compose.doc)).toEqual([]);
    // The file before interpolation is valid too: every ${...} sits where a string may.
    expect(composeProblems(rawCompose)).toEqual([]);
  });

  it('rejects broken documents with the same validator', () => {
    const broken = (edit: (doc: Doc) => void) => {
      const doc = structuredClone(compose.doc);
      edit(doc);
      return composeProblems(doc);
    };
    expect(broken((doc) => (doc.servics = {}))).toEqual([
      expect.stringContaining('must NOT have additional properties'),
    ]);
    expect(broken((doc) => (services(doc).server!.restart = 'sometimes'))).toEqual([
      'services.server.restart: sometimes is not a restart policy',
    ]);
    const badCondition = broken(
      (doc) => (services(doc).worker!.depends_on = { temporal: { condition: 'ready' } }),
    );
    expect(badCondition).not.toEqual([]);
    expect(badCondition.filter((p) => !p.startsWith('/services/worker/depends_on'))).toEqual([]);
    expect(
      broken((doc) => (services(doc).server!.healthcheck = { test: 'x', intervl: '5s' })),
    ).not.toEqual([]);
    expect(broken((doc) => (services(doc).gateway!.volumes = ['spool:/app/data']))).toEqual([
      'services.gateway.volumes: named volume spool is not declared',
    ]);
    expect(
      broken((doc) => (services(doc)['sandbox-worker']!.network_mode = 'service:nope')),
    ).toEqual(['services.sandbox-worker.network_mode: no service service:nope']);
  });

  it('needs every variable it interpolates, and .env.example sets them all', () => {
    const missing = [...composeVariables(rawCompose)].filter((name) => !(name in exampleEnv));
    expect(missing).toEqual([]);
    // Without them, Compose stops at the first ${NAME:?...}.
    const withoutEnv: string[] = [];
    interpolateDoc(parseCompose(composeText), {}, withoutEnv);
    expect(withoutEnv).toContainEqual(expect.stringMatching(/^POSTGRES_PASSWORD is not set/));
  });

  it('gives townhall services only variables townhall reads', () => {
    expect(townhallServices(compose.doc).length).toBeGreaterThan(0);
    expect(unreadEnvironment(compose.doc)).toEqual([]);

    const typo = structuredClone(compose.doc);
    (services(typo).worker!.environment as Doc).TEMPORAL_ADRESS = 'temporal:7233';
    expect(unreadEnvironment(typo)).toEqual(['services.worker.environment.TEMPORAL_ADRESS']);
  });

  it('runs only commands the CLI has', () => {
    const commands = cliCommands(townhallHelp());
    expect(unknownCommands(compose.doc, commands)).toEqual([]);

    const typo = structuredClone(compose.doc);
    services(typo).worker!.command = ['node', 'bin/townhall.js', 'wroker'];
    expect(unknownCommands(typo, commands)).toEqual([
      'services.worker.command: no CLI command wroker',
    ]);
  });

  it('scales server and worker from a variable, and runs exactly one gateway', () => {
    const byCommand = (doc: Doc, command: string) =>
      townhallServices(doc).filter(([, s]) => townhallCommand(s.command).command === command);
    const replicas = (service: Service) => (service.deploy as Doc | undefined)?.replicas;

    for (const role of ['server', 'worker']) {
      const scalable = byCommand(rawCompose, role).filter(([, s]) => s.network_mode === undefined);
      expect(scalable.length, role).toBeGreaterThan(0);
      for (const [name, service] of scalable)
        expect(replicas(service), name).toMatch(/^\$\{[A-Z_]+:-[1-9]\d*\}$/);
    }
    const gateways = byCommand(compose.doc, 'gateway');
    expect(gateways.length).toBeGreaterThan(0);
    for (const [name, service] of gateways) expect(Number(replicas(service) ?? 1), name).toBe(1);
  });

  it('health-checks each server on /readyz, and no other role with the image’s /readyz check', () => {
    for (const [name, service] of townhallServices(compose.doc)) {
      const healthcheck = service.healthcheck as Doc | undefined;
      const test = JSON.stringify(healthcheck?.test ?? '');
      if (townhallCommand(service.command).command === 'server') {
        expect(healthcheck?.disable, name).not.toBe(true);
        expect(test, name).toContain('/readyz');
      } else {
        // The image's HEALTHCHECK probes /readyz, which only the server answers.
        expect(healthcheck, name).toBeDefined();
        expect(healthcheck?.disable === true || !test.includes('/readyz'), name).toBe(true);
      }
    }
  });

  it('keeps the image’s workflow bundle where the worker looks for it', () => {
    const overrides = townhallServices(compose.doc).filter(
      ([, s]) =>
        townhallCommand(s.command).command === 'worker' &&
        environmentNames(s).includes('TOWNHALL_DATA_DIR'),
    );
    expect(overrides.map(([name]) => name)).toEqual([]);
    // .env reaches the production worker whole (env_file).
    expect(Object.keys(exampleEnv)).not.toContain('TOWNHALL_DATA_DIR');
  });
});

describe('.env.example', () => {
  it('sets only variables townhall or Compose reads', () => {
    const composeReads = composeVariables(rawCompose);
    const unread = envExample
      .map((e) => e.name)
      .filter(
        (n) => !readByTownhall.has(n) && !composeReads.has(n) && !COMPOSE_OWN_VARIABLES.has(n),
      );
    expect(unread).toEqual([]);
  });

  it('explains every variable and holds no real-looking secret', () => {
    expect(envExample.filter((e) => !e.commented).map((e) => e.name)).toEqual([]);
    const secrets = envExample.filter((e) => /(SECRET|TOKEN|PASSWORD|PASS|API_KEY)$/.test(e.name));
    expect(secrets.length).toBeGreaterThan(0);
    expect(secrets.filter((e) => !e.value.startsWith('change-me-')).map((e) => e.name)).toEqual([]);
  });

  it('is what the production services read as env_file', () => {
    for (const [name, service] of townhallServices(compose.doc))
      if ((service.profiles as string[] | undefined)?.includes('townhall'))
        expect(service.env_file, name).toEqual('.env');
  });
});

describe('the helpers these checks rest on', () => {
  it('find env reads in source text', () => {
    expect(
      envReads('process.env.ALPHA; env.BETA || x; env[\'GAMMA\']; process.env["DELTA"]; myEnv.NO'),
    ).toEqual(['ALPHA', 'BETA', 'GAMMA', 'DELTA']);
    // Against the code: runtime/settings.ts reads these.
    for (const name of envReads(read('runtime/settings.ts'))) expect(codeReads).toContain(name);
  });

  it('interpolate like Compose', () => {
    const problems: string[] = [];
    const env = { A: 'a', EMPTY: '' };
    expect(
      interpolate('$${A} ${A} ${B:-b} ${EMPTY:-e} ${EMPTY-e} ${A:+set} $A', env, problems),
    ).toBe('${A} a b e  set a');
    expect(interpolate('${B:?needed}', env, problems)).toBe('');
    expect(problems).toEqual(['B is not set: needed']);
  });

  it('read the CLI’s command list from commander’s help', () => {
    const help = [
      'Usage: townhall [options] [command]',
      '',
      'Commands:',
      '  start [options]    run everything in one process: dev server, store, sandbox,',
      '                     server and worker',
      '  validate [file]    check a config file',
      '  help [command]     display help for command',
    ].join('\n');
    expect(cliCommands(help)).toEqual(['start', 'validate', 'help']);
  });
});

describe('Dockerfile', () => {
  it('is multi-stage on node:20-slim, installs with npm ci --omit=dev, runs unprivileged, health-checks /readyz and builds the bundle', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('runs CLI commands only: the default CMD, and the bundle step', () => {
    const final = dockerfileStages(dockerfile).at(-1)!;
    const cmd = final.filter((i) => i.keyword === 'CMD').at(-1)!;
    const { command, problem } = townhallCommand(cmdArgv(cmd.args));
    expect(problem).toBeUndefined();
    const used = [
      command,
      ...final
        .filter((i) => i.keyword === 'RUN')
        .flatMap((i) =>
          [...i.args.matchAll(/\bbin\/townhall\.js\s+([a-z][\w-]*)/g)].map((m) => m[1]),
        ),
    ];
    expect(used).toContain('bundle');
    const commands = cliCommands(townhallHelp());
    expect(used.filter((name) => !commands.includes(name!))).toEqual([]);
  });

  it('rejects a single-stage image that runs as root without a health check', () => {
    expect(
      dockerfileProblems(
        'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD ["node", "bin/townhall.js", "server"]\n',
      ),
    ).toEqual([
      'not multi-stage: one FROM',
      'the final stage is FROM node:20, not node:20-slim',
      'no earlier stage runs npm ci --omit=dev',
      'the final stage runs as root (no USER)',
      'no HEALTHCHECK on /readyz in the final stage',
      'the final stage does not build the bundle into TOWNHALL_DATA_DIR',
    ]);
    // The bundle somewhere the worker does not look.
    const elsewhere = dockerfile.replace(
      /RUN node bin\/townhall\.js bundle/,
      'RUN TOWNHALL_DATA_DIR=/tmp/bundle node bin/townhall.js bundle',
    );
    expect(dockerfileProblems(elsewhere)).toEqual([
      expect.stringMatching(/^bundle built in \/tmp\/bundle, but the image's TOWNHALL_DATA_DIR/),
    ]);
  });
});

describe('.dockerignore', () => {
  it('keeps node_modules, .git, local state and secrets out of the build context, and nothing the image runs', () => {
    for (const file of IMAGE_NEEDS) expect(existsSync(path.join(ROOT, file)), file).toBe(true);
    expect(dockerignoreProblems(read('.dockerignore'))).toEqual([]);
  });

  it('would catch a missing or too-wide exclusion', () => {
    expect(dockerignoreProblems('node_modules\n')).toEqual([
      '.git/HEAD is not excluded',
      '.env is not excluded',
      '.townhall/pglite/PG_VERSION is not excluded',
      'tests/unit/deploy-stack.test.ts is not excluded',
    ]);
    expect(dockerignoreProblems(read('.dockerignore') + '\n**/*.json\n**/*.ts\n')).toEqual([
      'package.json is excluded',
      'package-lock.json is excluded',
      'tsconfig.json is excluded',
      'bin/cli.ts is excluded',
      'workflows/index.ts is excluded',
      'runtime/settings.ts is excluded',
      'sandbox/specs/discord/openapi.json is excluded',
    ]);
  });
});
