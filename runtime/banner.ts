import type { Sandbox } from '../sandbox/index.js';

/**
 * The "Try it" lines of the start banner: the running emulators' own examples, for the
 * connectors the config uses.
 */
export function tryItLines(
  sandbox: Pick<Sandbox, 'examples'>,
  configured: readonly string[],
): string[] {
  const examples = Object.entries(sandbox.examples())
    .filter(([id]) => configured.includes(id))
    .map(([, example]) => example);
  const join = examples.flatMap((example) => (example.join ? [example.join] : []));
  const inspect = examples.flatMap((example) => (example.inspect ? [example.inspect] : []));
  if (join.length === 0) return [];
  const [first, ...others] = join;
  return [
    '',
    'Try it: a new member joins, and the onboarding journey starts:',
    `  ${first}`,
    ...others.map((command) => `  or: ${command}`),
    ...(inspect.length > 0 ? [`  then: ${inspect.join(' ; ')}`] : []),
  ];
}
