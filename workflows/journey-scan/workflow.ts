import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  continueAsNew,
  patched,
  proxyActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { STORE_CALL } from '../retry-policies.js';
import { awaitedEvents } from '../steps/index.js';
import type { Activities } from '../steps/context.js';
import { journey } from '../journey/workflow.js';
import { journeySearchAttributes } from '../journey/search-attributes.js';
import { journeyWorkflowId } from '../journey/types.js';
import type { JourneyScanInput, JourneyScanResult } from './types.js';

const PAGE = 100;
const PAGES_PER_RUN = 20;
/**
 * Since this, a page is one activity that reads, records and starts the runs with the Temporal
 * client (activities/journey-entries.ts): one action a run, where startChild is two, and no read
 * that comes back empty after a short page. Scans from before replay their startChild path.
 */
const CLIENT_STARTS = 'journey-scan-client-starts';

/**
 * One pass of an inactivity trigger over the member view: every member who went quiet enters
 * the journey. The run id is keyed by the lapse (the member's last activity), so the five scans
 * that find the same lapse start one run; the runs outlive the scan (ABANDON).
 */
export async function journeyScan(input: JourneyScanInput): Promise<JourneyScanResult> {
  const store = proxyActivities<Activities>(STORE_CALL);
  let afterId = input.afterId;
  let entered = input.entered ?? 0;
  if (patched(CLIENT_STARTS)) {
    const { journey, exitWhen, steps, routing, sendWindow, limits, searchAttributes, markWaits } =
      input;
    for (let page = 0; page < PAGES_PER_RUN; page++) {
      const result = await store.enterLapsedMembers({
        journey,
        inactiveMs: input.inactiveMs,
        levels: input.levels,
        oncePerMs: input.entry.kind === 'once_per' ? input.entry.ms : undefined,
        once: input.entry.kind === 'once',
        afterId,
        limit: PAGE,
        // Fixed here, so each attempt at this page records its entries at the same moment.
        enteredAt: new Date().toISOString(),
        // Fields left undefined are dropped from the payload.
        template: {
          journey,
          steps,
          exitWhen,
          routing,
          sendWindow,
          limits,
          searchAttributes,
          markWaits,
        },
        taskQueue: workflowInfo().taskQueue,
        memo: { journey, journeyHash: input.hash },
      });
      entered += result.entered;
      if (!result.more) return { entered };
      afterId = result.lastId;
      if (workflowInfo().continueAsNewSuggested) break;
    }
    return continueAsNew<typeof journeyScan>({ ...input, afterId, entered });
  }
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const lapsed = await store.lapsedMembers({
      journey: input.journey,
      inactiveMs: input.inactiveMs,
      levels: input.levels,
      oncePerMs: input.entry.kind === 'once_per' ? input.entry.ms : undefined,
      // Without it, every scan would find a `once` member again and try a start that fails.
      once: input.entry.kind === 'once',
      afterId,
      limit: PAGE,
    });
    if (lapsed.length === 0) return { entered };
    const entries = lapsed.map((member) => ({
      ...member,
      workflowId: journeyWorkflowId(
        input.journey,
        member.memberId,
        input.entry.kind === 'once' ? undefined : `lapse-${Date.parse(member.lastActiveAt)}`,
      ),
    }));
    await store.recordJourneyEntries({
      journey: input.journey,
      exitWhen: input.exitWhen,
      awaits: awaitedEvents(input.steps),
      entries: entries.map(({ workflowId, memberId }) => ({ workflowId, memberId })),
    });
    for (const entry of entries) {
      try {
        await startChild(journey, {
          workflowId: entry.workflowId,
          args: [
            {
              journey: input.journey,
              memberId: entry.memberId,
              platform: entry.platform,
              steps: input.steps,
              exitWhen: input.exitWhen,
              routing: input.routing,
              sendWindow: input.sendWindow,
              limits: input.limits,
              searchAttributes: input.searchAttributes,
            },
          ],
          memo: { journey: input.journey, journeyHash: input.hash },
          ...(input.searchAttributes
            ? { typedSearchAttributes: journeySearchAttributes(input.journey, entry.memberId) }
            : {}),
          parentClosePolicy: ParentClosePolicy.ABANDON,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        entered++;
      } catch (error) {
        // This lapse (or, for `entry: once`, this member) entered already.
        if (error instanceof WorkflowExecutionAlreadyStartedError) continue;
        // Not started: its record must not keep the member out of the next scans.
        await store.forgetJourneyEntry({ workflowId: entry.workflowId });
        throw error;
      }
    }
    afterId = lapsed.at(-1)!.memberId;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  return continueAsNew<typeof journeyScan>({ ...input, afterId, entered });
}
