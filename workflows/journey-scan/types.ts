import type { ExitEvent, JourneyEntry } from '../../config/journeys.js';
import type { Routing } from '../steps/context.js';
import type { Step } from '../steps/index.js';
import type { SendLimits } from '../steps/send-gate.js';
import type { SendWindow } from '../steps/send-window.js';

/** `journey-scan:<journey>`: the Schedule, and the workflow id of each of its runs. */
export const journeyScanId = (journey: string): string => `journey-scan:${journey}`;

export interface JourneyScanInput {
  journey: string;
  /** The journey as the config says now: what the runs started by this scan keep. */
  steps: Step[];
  exitWhen: ExitEvent[];
  entry: JourneyEntry;
  inactiveMs: number;
  /** Engagement levels a member must be at; any level when absent. */
  levels?: string[] | undefined;
  /** The journey definition's hash, for each run's memo. */
  hash: string;
  routing?: Routing | undefined;
  /** The journey's send window and the config's caps, which each run it starts keeps. */
  sendWindow?: SendWindow | undefined;
  limits?: SendLimits | undefined;
  /** The namespace has the journeys' search attributes: the runs it starts set them. */
  searchAttributes?: boolean | undefined;
  /** The journey's `mark_waits: false`, which the runs it starts keep. */
  markWaits?: false | undefined;
  /** Where the previous run of this scan stopped (continue-as-new). */
  afterId?: string | undefined;
  entered?: number | undefined;
}

export interface JourneyScanResult {
  /** Runs started by this scan (a lapse already entered is not counted again). */
  entered: number;
}
