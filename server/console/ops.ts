import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import type { ConnectorHealth } from '../../store/connector-health.js';
import { connectorHealth } from '../../store/connector-health.js';
import type { Db } from '../../store/db.js';
import { syncStatus } from '../../store/sync.js';
import { ruleName } from '../../config/handoff.js';
import { exitReasonsFor } from '../../config/journey-events.js';
import { EXITED_PREFIX, STEP_KEY } from '../../workflows/journey/search-attributes.js';
import { journeyRunsQuery } from '../../workflows/journey/types.js';
import { onboardingWorkflow } from '../../workflows/onboarding/index.js';

/** Where the console reads what ops see: the config, Temporal's visibility and the store. */
export interface ConsoleDeps {
  config: Config;
  db: Db;
  temporal: Client;
  taskQueue: string;
  namespace: string;
  /** The Temporal UI's address: failures link to their run there. Unset: no links. */
  temporalUiUrl?: string | undefined;
  /** The CRM connectors the member sync writes to. */
  crms: readonly string[];
  logger: Logger;
}

export interface JourneyCounts {
  running: number;
  completed: number;
  failed: number;
  /** Runs ended by the journey's `exit_when`, by reason; null where Temporal cannot tell. */
  exited: Record<string, number> | null;
  /** Terminated, cancelled, timed out. */
  other: number;
}

export interface OpsView {
  journeys: { name: string; enabled: boolean; counts: JourneyCounts | null }[];
  handoffRules: {
    name: string;
    on: string;
    platform: string | null;
    helpdesk: string;
    enabled: boolean;
  }[];
  failures: { workflowId: string; type: string; closedAt: string | null; url: string | null }[];
  connectors: (ConnectorHealth & { configured: boolean })[];
  sync: { crm: string; lagMs: number; lastRunAt: string | null; lastRunFailed: number }[];
  /** Parts Temporal could not answer right now (the rest of the view is still shown). */
  unavailable: string[];
}

const FAILED = `ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut'`;

/** The Temporal UI's page for one run. */
export function runUrl(deps: Pick<ConsoleDeps, 'temporalUiUrl' | 'namespace'>, id: string) {
  if (!deps.temporalUiUrl) return null;
  const base = deps.temporalUiUrl.replace(/\/+$/, '');
  return `${base}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(id)}`;
}

async function runCounts(
  deps: ConsoleDeps,
  runs: string,
  exitReasons: readonly string[],
): Promise<JourneyCounts> {
  const grouped = await deps.temporal.workflow.count(`${runs} GROUP BY ExecutionStatus`);
  const by = new Map(grouped.groups.map((g) => [String(g.groupValues[0]), g.count]));
  // Temporal groups counts by status only: one count for all exits, then one per reason a run
  // of this journey can end with; what none of those names is counted as `other`.
  let exited: Record<string, number> | null = {};
  let exits = 0;
  try {
    const ended = `${runs} AND ExecutionStatus = 'Completed' AND ${STEP_KEY.name}`;
    exits = (await deps.temporal.workflow.count(`${ended} STARTS_WITH '${EXITED_PREFIX}'`)).count;
    let named = 0;
    for (const reason of exitReasons) {
      if (named >= exits) break;
      const { count } = await deps.temporal.workflow.count(
        `${ended} = '${EXITED_PREFIX}${reason}'`,
      );
      if (count > 0) exited[reason] = count;
      named += count;
    }
    if (exits > named) exited.other = exits - named;
  } catch {
    // Without the search attributes registered, exits are not told apart from completions.
    exited = null;
    exits = 0;
  }
  return {
    running: by.get('Running') ?? 0,
    // Read a moment apart from the exits: never below zero.
    completed: Math.max(0, (by.get('Completed') ?? 0) - exits),
    failed: by.get('Failed') ?? 0,
    exited,
    other: [...by.entries()]
      .filter(([status]) => !['Running', 'Completed', 'Failed'].includes(status))
      .reduce((sum, [, n]) => sum + n, 0),
  };
}

export async function opsView(deps: ConsoleDeps): Promise<OpsView> {
  const unavailable: string[] = [];
  const attempt = async <T>(what: string, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      deps.logger.warn({ err: error, part: what }, 'console: part of the ops view unavailable');
      unavailable.push(what);
      return null;
    }
  };
  const journeys = [];
  // Onboarding is a workflow of its own (workflows/onboarding), listed first like a journey.
  const onboarding = deps.config.workflows.onboarding as { enabled?: boolean } | undefined;
  if (onboarding)
    journeys.push({
      name: onboardingWorkflow.name,
      enabled: onboarding.enabled !== false,
      counts: await attempt('onboarding', () =>
        runCounts(
          deps,
          `WorkflowType = '${onboardingWorkflow.name}' AND TaskQueue = '${deps.taskQueue}'`,
          [],
        ),
      ),
    });
  for (const [name, journey] of Object.entries(deps.config.journeys))
    journeys.push({
      name,
      enabled: journey.enabled,
      counts: await attempt(`journey ${name}`, () =>
        runCounts(deps, journeyRunsQuery(name, deps.taskQueue), exitReasonsFor(journey.exitWhen)),
      ),
    });
  const handoff = deps.config.handoff;
  const handoffRules = (handoff?.rules ?? []).map((rule) => ({
    name: ruleName(rule),
    on: rule.on,
    platform: rule.platform ?? null,
    helpdesk: rule.helpdesk,
    enabled: handoff?.enabled !== false && rule.enabled,
  }));
  const failures =
    (await attempt('recent failures', async () => {
      const found = [];
      const runs = deps.temporal.workflow.list({
        query: `TaskQueue = '${deps.taskQueue}' AND (${FAILED})`,
        pageSize: 10,
      });
      for await (const run of runs) {
        found.push({
          workflowId: run.workflowId,
          type: run.type,
          closedAt: run.closeTime?.toISOString() ?? null,
          url: runUrl(deps, run.workflowId),
        });
        if (found.length === 10) break;
      }
      return found;
    })) ?? [];
  const health = (await attempt('connector health', () => connectorHealth(deps.db))) ?? [];
  const configured = Object.keys(deps.config.connectors);
  const connectors = [
    ...health.map((h) => ({ ...h, configured: configured.includes(h.connector) })),
    ...configured
      .filter((id) => !health.some((h) => h.connector === id))
      .map((id) => ({
        connector: id,
        calls: 0,
        errors: 0,
        lastSuccessAt: null,
        lastErrorAt: null,
        lastErrorCode: null,
        rateLimitedUntil: null,
        configured: true,
      })),
  ].sort((a, b) => a.connector.localeCompare(b.connector));
  const sync =
    (await attempt('CRM sync', () =>
      Promise.all(deps.crms.map((crm) => syncSummary(deps, crm))),
    )) ?? [];
  return { journeys, handoffRules, failures, connectors, sync, unavailable };
}

async function syncSummary(deps: ConsoleDeps, crm: string) {
  const status = await syncStatus(deps.db, crm);
  return {
    crm,
    lagMs: status.lagMs,
    lastRunAt: status.lastRunAt,
    lastRunFailed: status.lastRunFailed,
  };
}
