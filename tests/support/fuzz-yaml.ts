// Config files for the fuzz suite: the example config (config/examples/sandbox.yaml) mutated as a
// document (a field dropped, retyped or replaced) and as text (lines lost, moved, re-indented,
// hostile YAML spliced in), and YAML that attacks the parser itself.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { SANDBOX_CONFIG_FILE } from '../../config/load.js';
import { formatPath } from '../../config/errors.js';
import { edgeNumber } from './fuzz-arbitraries.js';

export const EXAMPLE_TEXT = readFileSync(SANDBOX_CONFIG_FILE, 'utf8');
const EXAMPLE: unknown = parse(EXAMPLE_TEXT);

/** YAML that attacks parsers: alias bombs, deep nesting, tags, merge keys, several documents. */
const HOSTILE_YAML = [
  'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `${'{a: '.repeat(2_000)}1${'}'.repeat(2_000)}`,
  `${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')} end`,
  'port: !!binary aGVsbG8=',
  'port: !!timestamp 2001-12-14t21:59:43.10-05:00',
  'x: !!set {a, b}',
  'x: !!omap [a: 1, b: 2]',
  'x: !custom tag',
  'x: !!js/function "function(){}"',
  '<<: {port: 1}',
  'base: &base {port: 3000}\nserver:\n  <<: *base',
  '---\nserver: {}\n---\nserver: {}',
  '\ufeffserver: {}',
  'server:\n\tport: 3000',
  'server: {port: .nan}',
  'server: {port: .inf}',
  'server: {port: 0x1F90}',
  'server: {port: 1e400}',
  '"\\u0000": nul',
  'key: "\\ud800"',
  '*undefined_alias',
  '&anchor',
  '%YAML 1.1\n---\non: yes',
  '%TAG ! tag:example.com,2000:\n---\n!x y',
  'a: |\n  literal\n b: broken',
  `long: ${'y'.repeat(100_000)}`,
  '\u0000\u0001\u0002',
  '- list\n- at the root',
  '"just a string"',
  'null',
  '',
];

/** Values a field may be set to: wrong types, edge numbers, hostile text, env references. */
const fieldJunk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  edgeNumber,
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    [],
    {},
    '',
    '\u0000',
    '${UNSET_FUZZ_VARIABLE}',
    '${UNSET_FUZZ_VARIABLE:-}',
    '${',
    '30x',
    '-5s',
    '0s',
    '99999999999999999999d',
    'http://',
    'zendesk',
    '__proto__',
    JSON.parse('{"__proto__": {"polluted": 1}}'),
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  return out;
}

export interface ConfigMutation {
  kind: 'drop' | 'replace' | 'retype';
  /** The field changed, as problems name paths (`handoff.rules[2].on`). */
  path: string;
}

export interface FuzzConfig {
  text: string;
  how: string;
  /** Structural mutations, for checking that problems name the fields they are about. */
  mutations: ConfigMutation[];
}

/** The example with 1–3 fields dropped, retyped or replaced by junk, written back as YAML. */
const structural: fc.Arbitrary<FuzzConfig> = fc
  .array(fc.tuple(fc.constantFrom('drop', 'replace', 'retype'), fc.nat(), fieldJunk), {
    minLength: 1,
    maxLength: 3,
  })
  .map((changes) => {
    let document: unknown = structuredClone(EXAMPLE);
    const mutations: ConfigMutation[] = [];
    for (const [kind, pick, junk] of changes) {
      const paths = pathsOf(document).filter((path) => path.length > 0);
      const path = paths[pick % paths.length]!;
      const parent = path
        .slice(0, -1)
        .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], document);
      const record = parent as Record<string | number, unknown>;
      const key = path.at(-1)!;
      const current = record[key];
      if (kind === 'drop') {
        if (Array.isArray(record)) record.splice(key as number, 1);
        else delete record[key];
      } else if (kind === 'replace') record[key] = junk;
      else
        record[key] =
          typeof current === 'number'
            ? String(current)
            : typeof current === 'string'
              ? Number(current) || 0
              : typeof current === 'boolean'
                ? String(current)
                : current === null
                  ? 0
                  : JSON.stringify(current);
      mutations.push({ kind, path: formatPath(path) });
    }
    document = JSON.parse(JSON.stringify(document) ?? 'null');
    return {
      text: stringify(document),
      how: `fields ${mutations.map((m) => `${m.kind} ${m.path}`).join(', ')}`,
      mutations,
    };
  });

/** The example's text with lines dropped, doubled, swapped, re-indented or hostile YAML spliced. */
const textual: fc.Arbitrary<FuzzConfig> = fc
  .array(
    fc.tuple(
      fc.constantFrom('drop', 'double', 'swap', 'indent', 'dedent', 'splice', 'cut'),
      fc.nat(),
      fc.nat(),
      fc.constantFrom(...HOSTILE_YAML),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .map((changes) => {
    const lines = EXAMPLE_TEXT.split('\n');
    for (const [kind, a, b, hostile] of changes) {
      const i = a % lines.length;
      const j = b % lines.length;
      if (kind === 'drop') lines.splice(i, 1);
      if (kind === 'double') lines.splice(i, 0, lines[i]!);
      if (kind === 'swap') [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      if (kind === 'indent') lines[i] = `  ${lines[i]}`;
      if (kind === 'dedent') lines[i] = lines[i]!.replace(/^ {1,2}/, '');
      if (kind === 'splice') lines.splice(i, 0, ...hostile.split('\n'));
      if (kind === 'cut') lines[i] = lines[i]!.slice(0, b % (lines[i]!.length + 1));
    }
    return {
      text: lines.join('\n'),
      how: `lines ${changes.map(([k]) => k).join(', ')}`,
      mutations: [],
    };
  });

/** Whole documents: hostile YAML, random text. */
const whole: fc.Arbitrary<FuzzConfig> = fc.oneof(
  fc.constantFrom(...HOSTILE_YAML).map((text) => ({ text, how: 'hostile YAML', mutations: [] })),
  fc
    .string({ unit: 'binary', maxLength: 200 })
    .map((text) => ({ text, how: 'random text', mutations: [] })),
);

export const fuzzConfig: fc.Arbitrary<FuzzConfig> = fc.oneof(
  { weight: 4, arbitrary: structural },
  { weight: 3, arbitrary: textual },
  { weight: 1, arbitrary: whole },
);

/** Whether a problem at `problem` is about the field at `field` (the same, inside or around it). */
export function related(problem: string, field: string): boolean {
  const within = (inner: string, outer: string) =>
    inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
  return problem !== '' && (within(problem, field) || within(field, problem));
}
