// The image's side of the deployable stack, read without a Docker engine: the Dockerfile's
// stages and instructions, and what the .dockerignore lets into the build context.
import { read, SANDBOX_CONFIG } from './deploy-compose.js';

// ---------------------------------------------------------------------------------------------
// The Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}

export function dockerfileStages(text: string): Instruction[][] {
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
export function cmdArgv(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
}

export function dockerfileProblems(text: string): string[] {
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

export const dockerfile = read('Dockerfile');

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
export const IMAGE_NEEDS = [
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
  // Any test file; the checks' expected problems name this one (their file before the split).
  'tests/unit/deploy-stack.test.ts',
];

export function dockerignoreProblems(text: string): string[] {
  const ignored = dockerignore(text);
  return [
    ...IMAGE_EXCLUDES.filter((file) => !ignored(file)).map((file) => `${file} is not excluded`),
    ...IMAGE_NEEDS.filter((file) => ignored(file)).map((file) => `${file} is excluded`),
  ];
}
