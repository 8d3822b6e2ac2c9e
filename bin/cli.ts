import { Command } from 'commander';
import { journeyNotices } from '../config/journeys.js';
import { ConfigError } from '../config/errors.js';
import { configJsonSchema } from '../config/json-schema.js';
import type { LoadedConfig } from '../config/load.js';
import { loadConfig, resolveConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { StartRoles } from '../runtime/start.js';
import { bundleDirFrom } from '../runtime/settings.js';
import { workflowRegistry } from '../workflows/registry.js';
import { registerJourneysCommands } from './journeys.js';
import { registerSimulateCommand } from './simulate.js';

const program = new Command('townhall').description('Durable automations for community teams');

/** Loads the config or prints every problem and exits 1. */
function load(file: string | undefined, fallbackToSandbox: boolean): LoadedConfig {
  try {
    return loadConfig(resolveConfigFile(file, process.env, fallbackToSandbox));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

function summary(config: Config): string {
  const sections: Record<string, unknown> = config.workflows;
  const workflows = workflowRegistry.flatMap((workflow) => {
    const section = sections[workflow.name];
    if (section === undefined) return [];
    // Scheduled workflows have no triggers: their section's `enabled` says whether they run.
    const enabled = workflow.triggers
      ? workflow.triggers.some((t) => t.enabled?.(section) ?? true)
      : (section as { enabled?: boolean }).enabled !== false;
    if (!enabled) return [];
    const steps = workflow.steps?.(section).reduce((n, list) => n + list.steps.length, 0);
    return [steps === undefined ? workflow.name : `${workflow.name} (${steps} steps)`];
  });
  const connectors = Object.entries(config.connectors)
    .filter(([, section]) => section !== undefined)
    .map(([id]) => id);
  const journeys = Object.entries(config.journeys)
    .filter(([, journey]) => journey.enabled)
    .map(([name, journey]) => `${name} (${journey.steps.length} steps)`);
  const handoff = config.handoff?.enabled
    ? config.handoff.rules
        .filter((rule) => rule.enabled)
        .map((rule) => `${rule.on} ${rule.platform ?? 'any platform'} → ${rule.helpdesk}`)
    : [];
  return `${workflows.length} workflow(s) enabled: ${workflows.join(', ') || 'none'}; journeys: ${journeys.join(', ') || 'none'}; ${handoff.length > 0 ? `handoff: ${handoff.join(', ')}; ` : ''}connectors: ${connectors.join(', ') || 'none'}`;
}

async function runRoles(
  options: { config?: string },
  roles: StartRoles,
  fallbackToSandbox: boolean,
) {
  try {
    // Imported when used: a command like `simulate` should not pay for the worker's start.
    const { run } = await import('../runtime/start.js');
    await run(load(options.config, fallbackToSandbox), roles);
  } catch (error) {
    process.stderr.write(`townhall: ${(error as Error).message}\n`);
    process.exit(1);
  }
}

program
  .command('start')
  .description('run everything in one process: dev server, store, sandbox, server and worker')
  .option(
    '-c, --config <file>',
    'config file (default: $TOWNHALL_CONFIG, ./townhall.config.yaml, the sandbox example)',
  )
  .action((options: { config?: string }) =>
    runRoles(options, { server: true, worker: true, gateway: true, embedded: true }, true),
  );

program
  .command('server')
  .description('run the webhook/API server only (needs TEMPORAL_ADDRESS)')
  .option('-c, --config <file>', 'config file')
  .action((options: { config?: string }) =>
    runRoles(options, { server: true, worker: false, gateway: false, embedded: false }, false),
  );

program
  .command('worker')
  .description('run the Temporal worker only (needs TEMPORAL_ADDRESS)')
  .option('-c, --config <file>', 'config file')
  .action((options: { config?: string }) =>
    runRoles(options, { server: false, worker: true, gateway: false, embedded: false }, false),
  );

program
  .command('gateway')
  .description(
    'run the long-lived inbound connections (chat gateways) only: one per deployment (needs TEMPORAL_ADDRESS)',
  )
  .option('-c, --config <file>', 'config file')
  .action((options: { config?: string }) =>
    runRoles(options, { server: false, worker: false, gateway: true, embedded: false }, false),
  );

program
  .command('bundle')
  .description(
    'build the workflow bundle into the cache ($TOWNHALL_BUNDLE_DIR, else $TOWNHALL_DATA_DIR), so workers start without webpack',
  )
  .action(async () => {
    const dir = bundleDirFrom(process.env);
    const started = Date.now();
    const { workflowBundle } = await import('../runtime/workflow-bundle.js');
    const { code } = await workflowBundle(dir);
    process.stdout.write(
      `workflow bundle ready in ${dir} (${Math.round(code.length / 1024)} KiB, ${Date.now() - started} ms)\n`,
    );
  });

program
  .command('validate [file]')
  .description('check a config file; prints each problem with its path, exit 1 when there are any')
  .action((file: string | undefined) => {
    const loaded = load(file, false);
    process.stdout.write(`${loaded.file}: OK. ${summary(loaded.config)}\n`);
    for (const notice of journeyNotices(loaded.config)) process.stderr.write(`note: ${notice}\n`);
  });

program
  .command('config')
  .description('config helpers')
  .command('schema')
  .description('print the config JSON Schema (for editor autocomplete)')
  .action(() => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

program
  .command('sandbox')
  .description('run the vendor emulators alone, accepting the credentials in the config')
  .option(
    '-c, --config <file>',
    'config file (default: $TOWNHALL_CONFIG, ./townhall.config.yaml, the sandbox example)',
  )
  .option('--townhall-url <url>', 'where to deliver emitted webhooks (default: server.port)')
  .action(async (options: { config?: string; townhallUrl?: string }) => {
    const { config } = load(options.config, true);
    const { startSandbox } = await import('../sandbox/index.js');
    const { sandboxOptions } = await import('../runtime/sandbox-options.js');
    const sandbox = await startSandbox({
      ...sandboxOptions(config),
      townhallUrl: options.townhallUrl ?? `http://127.0.0.1:${config.server.port}`,
    });
    process.stdout.write(
      `sandbox on ${[sandbox.url, ...sandbox.banner()].join(', ')}; Ctrl-C stops it\n`,
    );
    const stop = () => void sandbox.stop().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program
  .command('temporal-cli')
  .description('find or build the pinned Temporal CLI and print its path')
  .action(async () => {
    const { findOrBuildTemporalCli } = await import('../runtime/temporal-cli.js');
    const cli = await findOrBuildTemporalCli();
    process.stdout.write(
      `${cli.kind === 'binary' ? cli.path : 'none (the SDK will download one)'}\n`,
    );
  });

/**
 * The store and Temporal command groups load their modules only when named (or for help), so a
 * command like `simulate` or `validate` starts without them.
 */
const named = (command: string) => {
  const first = process.argv[2];
  return first === undefined || first === command || first === 'help' || first.startsWith('-');
};
if (named('members')) (await import('./members.js')).registerMembersCommands(program);
if (named('sync'))
  (await import('./sync.js')).registerSyncCommands(program, (file) => load(file, false));
if (named('forget'))
  (await import('./forget.js')).registerForgetCommand(program, (file) => load(file, false));
if (named('deliveries')) (await import('./deliveries.js')).registerDeliveriesCommands(program);
if (named('events'))
  (await import('./events.js')).registerEventsCommands(program, (file) => load(file, false));
registerJourneysCommands(program, (file) => load(file, false));
registerSimulateCommand(program, (file) => load(file, false));

await program.parseAsync();
