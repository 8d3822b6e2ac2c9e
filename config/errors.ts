import type { z } from 'zod';

/** One bad field: where it is and what to do about it. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file} has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return problem.path ? `  ${problem.path}: ${problem.message}` : `  ${problem.message}`;
}

/** `workflows.onboarding.steps[2].wait` from zod's `['workflows','onboarding','steps',2,'wait']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

/** Turns zod issues into sentences an ops person can act on. */
export function problemsFromZod(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = formatPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: formatPath([...issue.path, key]),
          // A schema's own message (what the field may be instead) says more than zod's.
          message: issue.message.startsWith('Unrecognized key')
            ? `unknown field "${key}" (check the spelling; \`townhall config schema\` lists every field)`
            : issue.message,
        }));
      case 'invalid_type':
        return [
          {
            path,
            message:
              !('input' in issue) || issue.input === undefined
                ? `is required (expected ${issue.expected})`
                : // A schema's own message (a duration's hint) says more than the type.
                  `${issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message}, got ${describe(issue.input, path)}`,
          },
        ];
      case 'too_small':
        // A schema's own message says what to do; zod's own ones ("Too small: ...") get plainer.
        if (!issue.message.startsWith('Too small')) return [{ path, message: issue.message }];
        if (issue.origin === 'string' && issue.minimum === 1)
          return [{ path, message: 'must not be empty' }];
        if (issue.origin === 'array')
          return [{ path, message: `needs at least ${issue.minimum} item(s)` }];
        return [{ path, message: issue.message }];
      default:
        return [{ path, message: issue.message }];
    }
  });
}

/** Fields whose values are secrets: a problem report names their type, never their value. */
const SECRET_FIELD = /(token|secret|pass|password|key)$/i;

function describe(value: unknown, path: string): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (SECRET_FIELD.test(path)) return typeof value;
  return `${typeof value} ${JSON.stringify(value)}`;
}
