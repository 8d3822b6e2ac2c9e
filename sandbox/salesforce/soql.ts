import { text } from './http.js';

/**
 * Enough SOQL for what a CRM connector asks: `SELECT f, ... FROM Object [WHERE cond [AND|OR
 * cond]...] [LIMIT n]`, where a condition is `field = literal`, `field != literal` or
 * `field IN (literal, ...)`, and a literal is a quoted string (with SOQL's backslash escapes),
 * a number or null. String comparisons ignore case, as Salesforce's do on text fields.
 */

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Literal = string | number | null;
interface Condition {
  field: string;
  op: '=' | '!=' | 'IN';
  values: Literal[];
}
export interface SoqlQuery {
  fields: string[];
  object: string;
  /** Conditions joined by `joiner` (SOQL needs parentheses to mix AND and OR). */
  conditions: Condition[];
  joiner: 'AND' | 'OR';
  limit?: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'symbol'; text: string; value?: Literal };

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const char = soql[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (char === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlError('MALFORMED_QUERY', 'unterminated string literal');
        const c = soql[i]!;
        if (c === "'") break;
        if (c === '\\') {
          const next = soql[i + 1] ?? '';
          const escaped = ESCAPES[next];
          if (escaped === undefined)
            throw new SoqlError(
              'MALFORMED_QUERY',
              `Invalid string literal: invalid escape \\${next}`,
            );
          value += escaped;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: value, value });
    } else if (/[0-9-]/.test(char)) {
      const match = /^-?\d+(\.\d+)?/.exec(soql.slice(i));
      if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${char}'`);
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    } else if (soql.startsWith('!=', i)) {
      tokens.push({ kind: 'symbol', text: '!=' });
      i += 2;
    } else if ('=,()'.includes(char)) {
      tokens.push({ kind: 'symbol', text: char });
      i++;
    } else throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${char}'`);
  }
  return tokens;
}

export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()!.text.toUpperCase() === word;
  const expect = (what: string, check: (t: Token) => boolean): Token => {
    const token = tokens[at];
    if (!token || !check(token))
      throw new SoqlError('MALFORMED_QUERY', `expecting ${what}, found '${token?.text ?? 'EOF'}'`);
    at++;
    return token;
  };
  const word = (w: string) => expect(w, (t) => t.kind === 'word' && t.text.toUpperCase() === w);
  const name = () => expect('a field name', (t) => t.kind === 'word').text;
  const literal = (): Literal => {
    const token = expect(
      'a value',
      (t) =>
        t.kind === 'string' ||
        t.kind === 'number' ||
        (t.kind === 'word' && t.text.toLowerCase() === 'null'),
    );
    return token.kind === 'word' ? null : token.value!;
  };

  word('SELECT');
  const fields = [name()];
  while (peek()?.text === ',') {
    at++;
    fields.push(name());
  }
  word('FROM');
  const object = name();
  const conditions: Condition[] = [];
  let joiner: 'AND' | 'OR' = 'AND';
  if (isWord('WHERE')) {
    at++;
    for (;;) {
      const field = name();
      let condition: Condition;
      if (isWord('IN')) {
        at++;
        expect("'('", (t) => t.text === '(');
        const values = [literal()];
        while (peek()?.text === ',') {
          at++;
          values.push(literal());
        }
        expect("')'", (t) => t.text === ')');
        condition = { field, op: 'IN', values };
      } else {
        const op = expect("'=' or '!='", (t) => t.text === '=' || t.text === '!=').text as
          '=' | '!=';
        condition = { field, op, values: [literal()] };
      }
      conditions.push(condition);
      if (!isWord('AND') && !isWord('OR')) break;
      const next = peek()!.text.toUpperCase() as 'AND' | 'OR';
      if (conditions.length > 1 && next !== joiner)
        throw new SoqlError(
          'MALFORMED_QUERY',
          'unexpected token: mixing AND and OR needs parentheses',
        );
      joiner = next;
      at++;
    }
  }
  let limit: number | undefined;
  if (isWord('LIMIT')) {
    at++;
    limit = Number(expect('a number', (t) => t.kind === 'number').text);
  }
  if (at < tokens.length)
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens[at]!.text}'`);
  return { fields, object, conditions, joiner, ...(limit !== undefined ? { limit } : {}) };
}

const same = (value: unknown, literal: Literal): boolean => {
  if (literal === null) return value === null || value === undefined;
  if (value === null || value === undefined) return false;
  if (typeof literal === 'number') return Number(value) === literal;
  return text(value).toLowerCase() === literal.toLowerCase();
};

/** Whether a record (its values by canonical field name) matches the query's conditions. */
export function matches(query: SoqlQuery, valueOf: (field: string) => unknown): boolean {
  const test = (c: Condition) => {
    const value = valueOf(c.field);
    const hit = c.values.some((literal) => same(value, literal));
    return c.op === '!=' ? !hit : hit;
  };
  if (query.conditions.length === 0) return true;
  return query.joiner === 'AND' ? query.conditions.every(test) : query.conditions.some(test);
}
