// Every benchmark `npm run bench` runs, in order: listed here, not found by scanning a folder.
import type { Benchmark } from './lib/context.js';
import { ingestStarts } from './ingest-starts.js';
import { ingestActivity } from './ingest-activity.js';
import { waitingJourneys } from './waiting-journeys.js';
import { cost } from './cost.js';
import { crmSync } from './crm-sync.js';
import { handoffLatency } from './handoff-latency.js';

export const benchmarks: readonly Benchmark[] = [
  ingestStarts,
  ingestActivity,
  waitingJourneys,
  cost,
  crmSync,
  handoffLatency,
];
