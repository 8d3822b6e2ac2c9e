/** Types for bin/cli-bundle.js, which is JavaScript because it runs before TypeScript can. */
export function cliBundle(
  entry: string,
  where?: { root: string; cache: string },
): Promise<string | undefined>;
