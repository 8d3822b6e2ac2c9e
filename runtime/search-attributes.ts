import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { JOURNEY_SEARCH_ATTRIBUTES } from '../workflows/journey/search-attributes.js';

/**
 * Whether the namespace has the journeys' search attributes (the dev server registers them at
 * start; a real cluster needs `temporal operator search-attribute create`, in the README). Runs
 * set them only when it does: a start that names an unknown attribute is refused, and journeys
 * must not stop for want of a listing aid. Missing ones are logged once, with the fix.
 */
export async function journeySearchAttributesReady(
  client: Client,
  namespace: string,
  logger: Logger,
): Promise<boolean> {
  let known: Record<string, unknown>;
  try {
    const answer = await client.connection.operatorService.listSearchAttributes({ namespace });
    known = answer.customAttributes ?? {};
  } catch (error) {
    logger.warn({ err: error }, 'could not list search attributes; journeys run without them');
    return false;
  }
  const missing = JOURNEY_SEARCH_ATTRIBUTES.filter((key) => !(key.name in known));
  if (missing.length === 0) return true;
  logger.warn(
    {
      missing: missing.map((key) => key.name),
      fix: missing
        .map(
          (key) =>
            `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type Keyword`,
        )
        .join(' && '),
    },
    'journey search attributes are not registered: runs start without them',
  );
  return false;
}
