// `townhall journeys`: every journey of the config with its runs' counts (running, completed,
// exited by reason, failed) and where the running ones wait. It reads Temporal only (the running
// hub's: TEMPORAL_ADDRESS, else the dev server `townhall start` runs), so it works beside a hub
// that holds PGlite.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { resolveSettings } from '../runtime/settings.js';
import type { JourneyPosition, JourneyResult } from '../workflows/journey/types.js';
import { journeyRunsQuery } from '../workflows/journey/types.js';
import { positionQuery } from '../workflows/journey/workflow.js';

/** Results read per journey to count exits; beyond it, exits are counted over the newest. */
const RESULTS_READ = 500;

export interface JourneyRun {
  workflowId: string;
  /** The member id, from the run id (`journey:<name>:<member id>[:<entry>]`). */
  memberId: string;
  status: string;
  startedAt: string;
  /** Running: the step in progress. */
  position?: JourneyPosition | null;
  /** Completed early: the event that ended it. */
  exited?: string;
}

export interface JourneyReport {
  name: string;
  enabled: boolean;
  trigger: string;
  running: number;
  completed: number;
  exited: Record<string, number>;
  failed: number;
  /** Terminated, cancelled or timed out. */
  other: number;
  /** Running runs by the step they are in: `steps[1] wait`. */
  waiting: Record<string, number>;
  runs: JourneyRun[];
}

/** A mistake in the command itself, as opposed to Temporal not answering. */
class UsageError extends Error {}

const memberOf = (workflowId: string) => workflowId.split(':')[2] ?? '';

async function runOf(client: Client, info: WorkflowExecutionInfo, readResult: boolean) {
  const run: JourneyRun = {
    workflowId: info.workflowId,
    memberId: memberOf(info.workflowId),
    status: info.status.name,
    startedAt: info.startTime.toISOString(),
  };
  const handle = client.workflow.getHandle(info.workflowId, info.runId);
  if (info.status.name === 'RUNNING')
    run.position = await handle.query(positionQuery).catch(() => null);
  if (info.status.name === 'COMPLETED' && readResult) {
    const result = (await handle.result()) as JourneyResult;
    if (result.exited) run.exited = result.exited;
  }
  return run;
}

/** What `townhall journeys` prints, for the config's journeys. */
export async function journeysReport(
  client: Client,
  journeys: LoadedConfig['config']['journeys'],
  options: { member?: string | undefined; taskQueue: string },
): Promise<JourneyReport[]> {
  const { member, taskQueue } = options;
  const reports: JourneyReport[] = [];
  for (const [name, journey] of Object.entries(journeys)) {
    const report: JourneyReport = {
      name,
      enabled: journey.enabled,
      trigger: journey.trigger.kind === 'event' ? journey.trigger.on : journey.trigger.kind,
      running: 0,
      completed: 0,
      exited: {},
      failed: 0,
      other: 0,
      waiting: {},
      runs: [],
    };
    let results = 0;
    // Newest first.
    for await (const info of client.workflow.list({ query: journeyRunsQuery(name, taskQueue) })) {
      if (member !== undefined && memberOf(info.workflowId) !== member) continue;
      const run = await runOf(client, info, results++ < RESULTS_READ);
      report.runs.push(run);
      if (run.status === 'RUNNING') {
        report.running++;
        const at = run.position ? `${run.position.path} ${run.position.type}` : 'starting';
        report.waiting[at] = (report.waiting[at] ?? 0) + 1;
      } else if (run.status === 'COMPLETED') {
        report.completed++;
        if (run.exited) report.exited[run.exited] = (report.exited[run.exited] ?? 0) + 1;
      } else if (run.status === 'FAILED') report.failed++;
      else report.other++;
    }
    reports.push(report);
  }
  return reports;
}

function print(report: JourneyReport, detailed: boolean): void {
  const exits = Object.entries(report.exited)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  process.stdout.write(
    `${report.name}${report.enabled ? '' : ' (disabled)'} [${report.trigger}]: ${report.running} running, ${report.completed} completed${exits ? ` (exited: ${exits})` : ''}, ${report.failed} failed${report.other ? `, ${report.other} stopped` : ''}\n`,
  );
  for (const [at, n] of Object.entries(report.waiting))
    process.stdout.write(`  waiting at ${at}: ${n}\n`);
  if (!detailed) return;
  for (const run of report.runs)
    process.stdout.write(
      `  ${run.workflowId} ${run.status.toLowerCase()} since ${run.startedAt}${run.position ? ` at ${run.position.path} ${run.position.type}` : ''}${run.exited ? ` exited: ${run.exited}` : ''}\n`,
    );
}

export function registerJourneysCommands(program: Command, load: (file?: string) => LoadedConfig) {
  const withClient = async (
    file: string | undefined,
    work: (client: Client, loaded: LoadedConfig, taskQueue: string) => Promise<void>,
  ) => {
    const loaded = load(file);
    const settings = resolveSettings(loaded.config, process.env);
    // Loaded when used: other commands should not pay for the Temporal client.
    const { cliTemporalClient } = await import('../runtime/temporal.js');
    let connected: ReturnType<typeof cliTemporalClient>;
    try {
      connected = cliTemporalClient(settings);
    } catch (error) {
      // No payload keys: say which variable, as the hub's roles do.
      process.stderr.write(`townhall: ${(error as Error).message}\n`);
      process.exitCode = 1;
      return;
    }
    const { address, client } = connected;
    try {
      await work(client, loaded, settings.temporal.taskQueue);
    } catch (error) {
      process.stderr.write(
        error instanceof UsageError
          ? `townhall: ${error.message}\n`
          : `townhall: cannot read journey runs from Temporal at ${address} (is townhall start running, or TEMPORAL_ADDRESS set?): ${(error as Error).message}\n`,
      );
      process.exitCode = 1;
    } finally {
      await client.connection.close();
    }
  };

  const journeys = program
    .command('journeys')
    .description(
      'every journey with its runs: running (and where they wait), completed, exited, failed',
    )
    .option('-c, --config <file>', 'config file')
    .option('--json', 'print JSON')
    .action(async (options: { config?: string; json?: boolean }) =>
      withClient(options.config, async (client, loaded, taskQueue) => {
        const reports = await journeysReport(client, loaded.config.journeys, { taskQueue });
        if (options.json)
          process.stdout.write(
            `${JSON.stringify(
              reports.map(({ runs: _runs, ...rest }) => rest),
              null,
              2,
            )}\n`,
          );
        else for (const report of reports) print(report, false);
      }),
    );

  journeys
    .command('show <name>')
    .description('one journey, run by run; --member keeps one member')
    .option('-c, --config <file>', 'config file')
    .option('--member <id>', 'a member id')
    .option('--json', 'print JSON')
    .action(async (name: string, _options: unknown, command: Command) => {
      // `journeys` has --config and --json too, and commander gives them to it: merge both.
      const options = command.optsWithGlobals<{
        config?: string;
        member?: string;
        json?: boolean;
      }>();
      await withClient(options.config, async (client, loaded, taskQueue) => {
        const journey = loaded.config.journeys[name];
        if (!journey)
          throw new UsageError(
            `no journey is called ${name} (the config has ${Object.keys(loaded.config.journeys).join(', ') || 'none'})`,
          );
        const [report] = await journeysReport(
          client,
          { [name]: journey },
          { member: options.member, taskQueue },
        );
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else print(report!, true);
      });
    });
}
