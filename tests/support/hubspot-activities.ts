// townhall's own activities on a test store, with one CRM: the sandbox HubSpot through the real
// connector, its request budget paced in the store as a worker's is.
import { createActivities } from '../../activities/index.js';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import { createHubSpotConnector } from '../../connectors/hubspot/client.js';
import { createLogger } from '../../runtime/logger.js';
import type { Db } from '../../store/db.js';
import { storeBudgets } from '../../store/rate-budget.js';
import { SANDBOX_HUBSPOT_TOKEN } from './sandbox.js';

const logger = createLogger('test');
logger.level = 'silent';

export function activitiesWithSandboxHubSpot(
  db: Db,
  sandboxUrl: string,
  requestLimit?: { max: number; intervalMs: number },
) {
  return createActivities({
    db,
    logger,
    publicUrl: 'http://127.0.0.1:3000',
    crms: {
      hubspot: hubspotCrm(
        createHubSpotConnector(
          {
            accessToken: SANDBOX_HUBSPOT_TOKEN,
            baseUrl: sandboxUrl,
            ...(requestLimit ? { requestLimit } : {}),
          },
          storeBudgets(db),
        ),
      ),
    },
  });
}
