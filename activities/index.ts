import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type {
  ChannelPoster,
  Crm,
  DirectMessenger,
  HelpDesk,
  Mailer,
  Reactor,
  ThreadPoster,
  ThreadReader,
} from '../connectors/ports.js';
import type { PolledPage } from '../connectors/descriptor.js';
import type { CommunityEvent } from '../connectors/events.js';
import type { Db } from '../store/db.js';
import { createCrmActivities } from './crm.js';
import { createEmailActivities } from './email.js';
import { createErasureActivities } from './erasure.js';
import { createHandoffActivities } from './handoff.js';
import { createHelpDeskActivities } from './helpdesk.js';
import { createJourneyEntryActivities } from './journey-entries.js';
import { createJourneyActivities } from './journeys.js';
import { createMessagingActivities } from './messaging.js';
import { createNoticeActivities } from './notices.js';
import { createPollingActivities } from './polling.js';
import { createThreadReplyActivities } from './thread-replies.js';
import { createSyncActivities } from './sync.js';

/**
 * What the activities act through: capabilities, never vendors. The runtime builds them from
 * the config (runtime/capabilities.ts); a test may hand in any implementation.
 */
export interface CapabilityDeps {
  /** Per platform (the connector id), for members who joined there. */
  messengers?: Readonly<Record<string, DirectMessenger>> | undefined;
  threadPosters?: Readonly<Record<string, ThreadPoster>> | undefined;
  /** Per platform: where `notify` steps post in the team's channel. */
  channelPosters?: Readonly<Record<string, ChannelPoster>> | undefined;
  crm?: Crm | undefined;
  /** Every configured CRM by connector id: the member sync may write to each. */
  crms?: Readonly<Record<string, Crm>> | undefined;
  helpdesk?: HelpDesk | undefined;
  /** Every configured help desk by connector id: each handoff rule names its own. */
  helpdesks?: Readonly<Record<string, HelpDesk>> | undefined;
  /** Per platform: transcripts and permalinks of the threads a handoff opens tickets for. */
  threadReaders?: Readonly<Record<string, ThreadReader>> | undefined;
  /** Per platform: the reaction a handoff leaves on a thread whose ticket is solved. */
  reactors?: Readonly<Record<string, Reactor>> | undefined;
  mailer?: Mailer | undefined;
  /** Per connector that reads by polling (no webhooks): its feeds, and one poll of a feed. */
  pollers?: Readonly<Record<string, FeedPoller>> | undefined;
}

/** A polled connector as the poll activity sees it: its client and config already bound. */
export interface FeedPoller {
  feeds: readonly string[];
  poll(feed: string, from: { cursor: unknown; startedAt: number }): Promise<PolledPage>;
}

export interface ActivityDeps extends CapabilityDeps {
  db: Db;
  logger: Logger;
  /** Where members reach townhall: the base of the unsubscribe links in every email. */
  publicUrl: string;
  /** Values every CRM record gets besides the community properties (config workflows.crmSync). */
  crmExtras?: Record<string, string> | undefined;
  /** Where polled events go: the router webhooks use (store, then workflows). */
  route?: ((event: CommunityEvent) => Promise<unknown>) | undefined;
  /** Starts the runs an inactivity scan finds (one action each, where a child start is two). */
  temporal?: Client | undefined;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities(deps),
    ...createEmailActivities(deps),
    ...createMessagingActivities(deps),
    ...createHelpDeskActivities(deps),
    ...createSyncActivities(deps),
    ...createJourneyActivities(deps),
    ...createJourneyEntryActivities(deps),
    ...createNoticeActivities(deps),
    ...createThreadReplyActivities(deps),
    ...createHandoffActivities(deps),
    ...createPollingActivities(deps),
    ...createErasureActivities(deps),
  };
}
