import {
  ActivityFailure,
  continueAsNew,
  log,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { FEED_POLL } from '../retry-policies.js';
import type { CommunityPollInput, PollActivities } from './types.js';

/** Polls per run before continue-as-new: each carries the cursor, so history stays small. */
const POLLS_PER_RUN = 200;
/** After a failure retrying cannot fix (bad credentials), try again this much later. */
const AFTER_REFUSAL_MS = 5 * 60_000;

/**
 * Reads one feed of a platform that sends no webhooks, for as long as the config lists it. The
 * cursor lives in this run (and in the next one's input), so a crash or a deploy resumes where
 * reading stood; the activity routes a poll's events before it returns the cursor past them,
 * and the store absorbs the events a retried poll routes again.
 */
export async function communityPoll(input: CommunityPollInput): Promise<void> {
  const { pollFeed } = proxyActivities<PollActivities>(FEED_POLL);
  let cursor = input.cursor;
  const startedAt = input.startedAt ?? workflowInfo().runStartTime.getTime();
  for (let poll = 0; poll < POLLS_PER_RUN; poll++) {
    try {
      const result = await pollFeed({
        connector: input.connector,
        feed: input.feed,
        cursor,
        startedAt,
      });
      if (result.stop) {
        log.info('poller stopped', {
          connector: input.connector,
          feed: input.feed,
          reason: result.reason,
        });
        return;
      }
      cursor = result.cursor;
      await sleep(result.nextPollMs);
    } catch (error) {
      // Only a refusal gets here (retryable failures retry without end): keep the cursor and
      // try again later, so fixing the credentials resumes reading without a restart.
      if (!(error instanceof ActivityFailure)) throw error;
      log.warn('poll refused; trying again later', {
        connector: input.connector,
        feed: input.feed,
        error: error.cause?.message ?? error.message,
      });
      await sleep(input.afterRefusalMs ?? AFTER_REFUSAL_MS);
    }
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await continueAsNew<typeof communityPoll>({ ...input, cursor, startedAt });
}
