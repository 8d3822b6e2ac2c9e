/**
 * `poll:<task queue>:<connector>:<feed>`: one poller per feed per deployment. The task queue
 * names the deployment, so two deployments in one namespace each read the feed for themselves.
 */
export const pollerWorkflowId = (taskQueue: string, connector: string, feed: string): string =>
  `poll:${taskQueue}:${connector}:${feed}`;

export interface CommunityPollInput {
  /** The connector id whose descriptor has the poller. */
  connector: string;
  /** The feed it reads (a community or channel, as its connector names it). */
  feed: string;
  /** Where reading stands: the connector's own JSON, carried across continue-as-new. */
  cursor?: unknown;
  /**
   * When reading began (epoch ms): the first poll takes what was made from then on. The first
   * run's start time; carried on until a poll has returned a cursor.
   */
  startedAt?: number | undefined;
  /** How long to wait after a poll is refused for good (bad credentials); 5 minutes unset. */
  afterRefusalMs?: number | undefined;
}

export interface PollFeedInput {
  connector: string;
  feed: string;
  cursor: unknown;
  startedAt: number;
}

export type PollFeedResult =
  | { stop: true; reason: string }
  | { stop: false; cursor: unknown; nextPollMs: number; routed: number };

/** The activity the poller calls, by name (activities/polling.ts implements it). */
export interface PollActivities {
  pollFeed(input: PollFeedInput): Promise<PollFeedResult>;
}
