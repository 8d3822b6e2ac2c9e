import type { Logger } from 'pino';
import type { DirectMessenger, Platform } from '../connectors/community.js';
import type { EmailConnector } from '../connectors/email/smtp.js';
import type { RenderedEmail } from '../connectors/email/templates.js';
import type { UnsubscribeSettings } from '../connectors/email/unsubscribe.js';
import type { HubSpotConnector } from '../connectors/hubspot/client.js';
import type { Db } from '../store/db.js';
import { createCommunityActivities } from './community.js';
import { createCrmActivities } from './crm.js';
import { createEmailActivities } from './email.js';
import type { ZendeskActivityDeps } from './zendesk.js';
import { createZendeskActivities } from './zendesk.js';

export interface ActivityDeps extends ZendeskActivityDeps {
  db: Db;
  logger: Logger;
  hubspot?: HubSpotConnector | undefined;
  /** Platforms whose connector is configured to send direct messages. */
  messengers?: Partial<Record<Platform, DirectMessenger>> | undefined;
  email?:
    | {
        connector: EmailConnector;
        from: string;
        /** Every message carries a one-click unsubscribe link signed for its member. */
        unsubscribe: UnsubscribeSettings;
        render(
          template: string,
          subject: string,
          vars: Record<string, unknown>,
        ): Promise<RenderedEmail>;
      }
    | undefined;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities(deps),
    ...createEmailActivities(deps),
    ...createCommunityActivities(deps),
    ...createZendeskActivities(deps),
  };
}
