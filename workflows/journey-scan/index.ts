import type { JourneysConfig } from '../../config/journeys.js';
import { journeyHash, levelsFrom } from '../../config/journeys.js';
import { limitsFor } from '../../config/limits.js';
import type { ScheduleRow } from '../descriptor.js';
import { defineOnDemandWorkflow } from '../descriptor.js';
import type { Routing } from '../steps/context.js';
import type { SendLimits } from '../steps/send-gate.js';
import { journeyScanId } from './types.js';
import { journeyScan } from './workflow.js';

/** The inactivity scan: started by a Temporal Schedule per `inactive` journey, not by events. */
export const journeyScanWorkflow = defineOnDemandWorkflow({
  name: 'journeyScan',
  workflow: journeyScan,
});

/** One Schedule per enabled journey with an `inactive` trigger, every `scan_every`. */
export function journeyScanSchedules(
  journeys: JourneysConfig,
  levels: readonly { name: string }[],
  routing: Routing,
  options: { limits?: SendLimits | undefined; searchAttributes?: boolean } = {},
): ScheduleRow[] {
  const { limits, searchAttributes } = options;
  return Object.entries(journeys).flatMap(([name, journey]) => {
    const trigger = journey.trigger;
    if (!journey.enabled || trigger.kind !== 'inactive') return [];
    return [
      {
        id: journeyScanId(name),
        everyMs: trigger.scanEveryMs,
        workflow: journeyScan,
        workflowId: journeyScanId(name),
        args: [
          {
            journey: name,
            steps: journey.steps,
            exitWhen: journey.exitWhen,
            entry: journey.entry,
            inactiveMs: trigger.ms,
            levels: trigger.level === undefined ? undefined : levelsFrom(levels, trigger.level),
            hash: journeyHash(journey),
            routing,
            ...(journey.sendWindow ? { sendWindow: journey.sendWindow } : {}),
            ...(limitsFor(limits, journey) ? { limits: limitsFor(limits, journey) } : {}),
            ...(searchAttributes ? { searchAttributes: true } : {}),
            ...(journey.markWaits === false ? { markWaits: false as const } : {}),
          },
        ],
      },
    ];
  });
}
