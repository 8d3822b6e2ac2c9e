// What the fuzz suite throws at the hub: random bytes and JSON, and valid deliveries mutated the
// ways broken or hostile senders mutate them (fields dropped, wrong types, huge and hostile text,
// deep nesting, flipped bytes).
import fc from 'fast-check';
import type { Seed } from './fuzz-routes.js';
import { encode } from './fuzz-routes.js';

/** Text that breaks parsers and stores: NUL, lone surrogates, bidi marks, emoji, huge runs. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u2066evil',
    '\uffff\ufffe',
    '💥'.repeat(500),
    '<script>alert(1)</script>',
    '${jndi:ldap://x}',
    '../../etc/passwd',
    'http://[::1',
    '%zz%',
    '1e309',
    '-0',
    'NaN',
    '9'.repeat(40),
    '2026-13-45T99:99:99Z',
    '+275760-09-13T00:00:00.001Z',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** Numbers at the edges: out of Date's range, unsafe integers, negatives, fractions. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, 0.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 8.64e15, 8.64e15 + 1, 1e21, 1e308),
  fc.constantFrom(-(2 ** 53), -1e308, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Arrays (or objects) nested up to 200 deep, around a value (deeper ones come as bytes). */
const nested: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 1, max: 200 }), fc.boolean())
  .map(([depth, objects]) => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = objects ? { a: value } : [value];
    return value;
  });

/** JSON nested far deeper than any parser's recursion could follow, as bytes. */
const deepJson: fc.Arbitrary<Buffer> = fc
  .tuple(fc.integer({ min: 1_000, max: 150_000 }), fc.boolean())
  .map(([depth, objects]) =>
    Buffer.from(
      objects
        ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        : `${'['.repeat(depth)}1${']'.repeat(depth)}`,
    ),
  );

/** Any value a mutated field may take. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileText,
  edgeNumber,
  fc.jsonValue({ maxDepth: 3 }),
  nested,
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    {},
    [],
    [null],
    { '': '' },
    JSON.parse('{"__proto__":1}'),
  ),
);

type Path = (string | number)[];

function pathsOf(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (out.length > 500) return out;
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], out));
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], out);
  return out;
}

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
    value,
  );
}

export interface Mutation {
  /** `tweak` keeps the type (an edge number for a number, hostile text for text), so the body
   * still passes the schema and the value reaches the code behind it. */
  kind: 'tweak' | 'drop' | 'replace' | 'retype' | 'add' | 'wrap';
  pick: number;
  junk: unknown;
  number: number;
  text: string;
  key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.oneof(
    { weight: 4, arbitrary: fc.constant('tweak' as const) },
    { weight: 3, arbitrary: fc.constantFrom('drop', 'replace', 'retype', 'add', 'wrap') },
  ),
  pick: fc.nat(),
  junk: junkValue,
  number: edgeNumber,
  text: hostileText,
  key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'type')),
});

/** Applies one mutation to a copy of `value` at one of its paths (the root included). */
export function mutate(value: unknown, m: Mutation): unknown {
  const copy: unknown = structuredClone(value);
  const paths = pathsOf(copy);
  const path = paths[m.pick % paths.length]!;
  const current = at(copy, path);
  let next: unknown;
  switch (m.kind) {
    case 'tweak':
      next =
        typeof current === 'number'
          ? m.number
          : typeof current === 'string'
            ? m.text
            : typeof current === 'boolean'
              ? !current
              : current;
      break;
    case 'drop':
      next = undefined;
      break;
    case 'replace':
      next = m.junk;
      break;
    case 'retype':
      next =
        typeof current === 'string'
          ? Number(current)
          : typeof current === 'number'
            ? String(current)
            : current === null || current === undefined
              ? 0
              : JSON.stringify(current);
      break;
    case 'add':
      next =
        current && typeof current === 'object'
          ? Array.isArray(current)
            ? [...(current as unknown[]), m.junk]
            : Object.defineProperty({ ...current }, m.key, {
                value: m.junk,
                enumerable: true,
                configurable: true,
                writable: true,
              })
          : m.junk;
      break;
    case 'wrap':
      next = [current];
      break;
  }
  if (path.length === 0) return next;
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path.at(-1)!;
  if (next === undefined && Array.isArray(parent)) parent.splice(key as number, 1);
  else if (next === undefined) delete parent[key];
  else parent[key] = next;
  return copy;
}

interface BytesMutation {
  kind: 'flip' | 'truncate' | 'insert' | 'duplicate';
  pick: number;
  bytes: Uint8Array;
}

/** Flips, cuts or splices bytes of an encoded body. */
const byteMutation: fc.Arbitrary<BytesMutation> = fc.record({
  kind: fc.constantFrom('flip', 'truncate', 'insert', 'duplicate'),
  pick: fc.nat(),
  bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
});

function mutateBytes(raw: Buffer, m: BytesMutation): Buffer {
  const at = raw.length === 0 ? 0 : m.pick % raw.length;
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(raw);
      if (copy.length > 0) copy[at] = copy[at]! ^ (m.bytes[0]! || 1);
      return copy;
    }
    case 'truncate':
      return raw.subarray(0, at);
    case 'insert':
      return Buffer.concat([raw.subarray(0, at), Buffer.from(m.bytes), raw.subarray(at)]);
    case 'duplicate':
      return Buffer.concat([raw, raw]);
  }
}

/** A body to send: the bytes, and the seed it came from (whose unsigned headers go along). */
export interface FuzzBody {
  raw: Buffer;
  seed: Seed;
  how: string;
}

/** Random bytes, random JSON, seeds mutated structurally (1–4 times) or byte-wise, seeds as-is. */
export function fuzzBody(seeds: Seed[]): fc.Arbitrary<FuzzBody> {
  const seed = fc.constantFrom(...seeds);
  return fc.oneof(
    {
      weight: 1,
      arbitrary: fc
        .tuple(seed, fc.uint8Array({ maxLength: 2_048 }))
        .map(([s, bytes]) => ({ raw: Buffer.from(bytes), seed: s, how: 'random bytes' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(seed, deepJson)
        .map(([s, raw]) => ({ raw, seed: s, how: 'deeply nested JSON' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(seed, fc.jsonValue())
        .map(([s, value]) => ({ raw: encode(value), seed: s, how: 'random JSON' })),
    },
    {
      weight: 5,
      arbitrary: fc
        .tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([s, mutations]) => ({
          raw: encode(
            mutations.reduce((body, m) => mutate(body, m), s.body),
            s.form,
          ),
          seed: s,
          how: `mutated (${mutations.map((m) => m.kind).join(', ')})`,
        })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(seed, byteMutation).map(([s, m]) => ({
        raw: mutateBytes(encode(s.body, s.form), m),
        seed: s,
        how: `bytes ${m.kind}`,
      })),
    },
    {
      weight: 1,
      arbitrary: seed.map((s) => ({ raw: encode(s.body, s.form), seed: s, how: 'seed' })),
    },
  );
}

/** Header values Node's client can send (visible ASCII and spaces), some of them very long. */
export const headerText: fc.Arbitrary<string> = fc.oneof(
  fc
    .string({ unit: 'binary-ascii', maxLength: 40 })
    .map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom('', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', '0'),
  fc.integer({ min: 1_000, max: 8_000 }).map((n) => 'a'.repeat(n)),
);

/** The seed's unsigned headers, now and then dropped or replaced. */
export function unsignedHeaders(seed: Seed): fc.Arbitrary<Record<string, string>> {
  const entries = Object.entries(seed.headers ?? {});
  return fc
    .array(fc.tuple(fc.constantFrom('keep', 'keep', 'keep', 'drop', 'replace'), headerText), {
      minLength: entries.length,
      maxLength: entries.length,
    })
    .map((choices) =>
      Object.fromEntries(
        entries.flatMap(([name, value], i) => {
          const [choice, text] = choices[i]!;
          if (choice === 'drop') return [];
          return [[name, choice === 'replace' ? text : value]];
        }),
      ),
    );
}
