// A Temporal namespace of one's own, for a benchmark (bench/lib/context.ts runs each in one) or a
// test whose hub keeps schedules. Workflow and schedule ids belong to a namespace: a CRM's
// backfill id, the sync's schedule and the journey scans never meet another hub's on a shared
// server (the test suite's), and every history in it is the owner's.
import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { JOURNEY_SEARCH_ATTRIBUTES } from '../../workflows/journey/search-attributes.js';

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OwnNamespace {
  name: string;
  /** Deletes the namespace and everything in it (the server does it in the background). */
  drop(): Promise<void>;
}

/**
 * Registers `townhall-bench-<random>` with the journeys' search attributes, and returns once
 * the frontend serves it and lists them: a hub started earlier would run its journeys without
 * them, which changes what they cost.
 */
export async function ownNamespace(address: string, timeoutMs = 60_000): Promise<OwnNamespace> {
  const connection = await Connection.connect({ address });
  const namespace = `townhall-own-${randomBytes(4).toString('hex')}`;
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    const known = async () =>
      (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    for (;;) {
      try {
        const before = await known();
        const missing = JOURNEY_SEARCH_ATTRIBUTES.filter((key) => !(key.name in before));
        if (missing.length > 0)
          await connection.operatorService.addSearchAttributes({
            namespace,
            searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
          });
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        const now = await known();
        if (JOURNEY_SEARCH_ATTRIBUTES.every((key) => key.name in now)) break;
      } catch (error) {
        // The frontend learns of a new namespace from its cache, refreshed every few seconds.
        lastError = error;
      }
      if (Date.now() > deadline)
        throw new Error(`namespace ${namespace} was not served after ${timeoutMs} ms`, {
          cause: lastError,
        });
      await pause(250);
    }
  } catch (error) {
    await connection.close();
    throw error;
  }
  return {
    name: namespace,
    async drop() {
      try {
        await connection.operatorService.deleteNamespace({ namespace });
      } finally {
        await connection.close();
      }
    },
  };
}
