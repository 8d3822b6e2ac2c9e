// Where /metrics reads what it does not count itself: journey runs and open handoffs from
// Temporal's visibility (the runs themselves are the truth, whichever worker ran them), the CRM
// sync lag from the store.
import type { Client } from '@temporalio/client';
import { providersOf } from '../config/capabilities.js';
import { exitReasonsFor } from '../config/journey-events.js';
import type { LoadedConfig } from '../config/load.js';
import { registry } from '../connectors/index.js';
import type { ScrapedSources } from '../server/metrics.js';
import type { Db } from '../store/db.js';
import { connectorHealth } from '../store/connector-health.js';
import { syncStatus } from '../store/sync.js';
import { EXITED_PREFIX, STEP_KEY } from '../workflows/journey/search-attributes.js';
import { journeyRunsQuery } from '../workflows/journey/types.js';
import { handoffWorkflow } from '../workflows/handoff/index.js';

/** `GROUP BY ExecutionStatus` answers with one group per status, its value the status name. */
function byStatus(groups: { count: number; groupValues: unknown[] }[]) {
  return groups.map((group) => ({ status: String(group.groupValues[0]), count: group.count }));
}

export function metricsSources(
  loaded: LoadedConfig,
  db: Db,
  temporal: Client,
  taskQueue: string,
): ScrapedSources {
  const journeys = Object.keys(loaded.config.journeys);
  const crms = providersOf(loaded.config, registry, 'crm');
  return {
    async journeys() {
      const counts = [];
      for (const journey of journeys) {
        const answer = await temporal.workflow.count(
          `${journeyRunsQuery(journey, taskQueue)} GROUP BY ExecutionStatus`,
        );
        for (const { status, count } of byStatus(answer.groups))
          counts.push({ journey, status, count });
      }
      return counts;
    },
    async openHandoffs() {
      const answer = await temporal.workflow.count(
        `WorkflowType = '${handoffWorkflow.name}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
      );
      return answer.count;
    },
    async exits() {
      const counts = [];
      for (const [journey, config] of Object.entries(loaded.config.journeys))
        for (const reason of exitReasonsFor(config.exitWhen)) {
          const { count } = await temporal.workflow.count(
            `${journeyRunsQuery(journey, taskQueue)} AND ExecutionStatus = 'Completed' AND ${STEP_KEY.name} = '${EXITED_PREFIX}${reason}'`,
          );
          counts.push({ journey, reason, count });
        }
      return counts;
    },
    async vendorCalls() {
      return (await connectorHealth(db)).map((health) => ({
        connector: health.connector,
        calls: health.calls,
        errors: health.errors,
        rateLimited: health.rateLimitedUntil !== null,
      }));
    },
    async syncLag() {
      const lags = [];
      for (const crm of crms) lags.push({ crm, lagMs: (await syncStatus(db, crm)).lagMs });
      return lags;
    },
  };
}
