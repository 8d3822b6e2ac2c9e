// `townhall forget <member>`: erase a member everywhere townhall reaches, with progress, and
// `townhall forget --status <erasure id | member>`: what is done and what is pending.
import os from 'node:os';
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { registry } from '../connectors/index.js';
import { routingFor } from '../runtime/routing.js';
import type { ErasureRecord } from '../store/erasures.js';
import { findErasureFor, requestErasure } from '../server/erasure.js';
import { hubConnection } from './hub-connection.js';

/** The erasure as lines: one per system with its state, then what stays elsewhere. */
export function renderErasure(erasure: ErasureRecord): string[] {
  const state = erasure.completedAt
    ? `complete at ${erasure.completedAt}`
    : `in progress (${erasure.pending.length} pending: ${erasure.pending.join(', ')})`;
  const width = Math.max(8, ...Object.keys(erasure.outcomes).map((system) => system.length));
  return [
    `erasure ${erasure.id}: ${state}`,
    `  requested ${erasure.requestedAt} by ${erasure.requestedBy} (${erasure.source})${erasure.reason ? `: ${erasure.reason}` : ''}`,
    ...Object.entries(erasure.outcomes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([system, outcome]) =>
          `  ${system.padEnd(width)}  ${outcome.status.padEnd(7)}  ${outcome.detail}`,
      ),
    ...erasure.notErasable.map((item) => `  not erasable by townhall: ${item}`),
  ];
}

const POLL_MS = 1_000;

async function forget(
  loaded: LoadedConfig,
  ref: string,
  options: { reason?: string; by?: string; detach?: boolean },
) {
  const hub = await hubConnection(loaded);
  try {
    const taskQueue = hub.settings.temporal.taskQueue;
    const outcome = await requestErasure(
      {
        db: hub.db,
        temporal: hub.client,
        taskQueue,
        routing: routingFor(loaded.config, registry, taskQueue),
        logger: hub.logger,
      },
      ref,
      { requestedBy: options.by ?? os.userInfo().username, source: 'cli', reason: options.reason },
    );
    if (outcome.state === 'already-erased') {
      process.stdout.write(
        `already erased: nothing to do\n${renderErasure(outcome.erasure).join('\n')}\n`,
      );
      return 0;
    }
    process.stderr.write(
      `erasure ${outcome.erasureId} started (Ctrl-C stops watching, not the erasure; townhall forget --status ${outcome.erasureId})\n`,
    );
    if (options.detach) return 0;
    let shown = '';
    for (;;) {
      const erasure = await findErasureFor(hub.db, outcome.erasureId);
      const lines = erasure ? renderErasure(erasure).join('\n') : '';
      if (lines !== shown) process.stdout.write(`${lines}\n`);
      shown = lines;
      if (erasure?.completedAt) return 0;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await hub.close();
  }
}

async function status(loaded: LoadedConfig, ref: string, options: { json?: boolean }) {
  const hub = await hubConnection(loaded);
  try {
    const erasure = await findErasureFor(hub.db, ref);
    if (!erasure) {
      process.stderr.write(`townhall: no erasure found for ${ref}\n`);
      return 1;
    }
    process.stdout.write(
      options.json
        ? `${JSON.stringify(erasure, null, 2)}\n`
        : `${renderErasure(erasure).join('\n')}\n`,
    );
    return 0;
  } finally {
    await hub.close();
  }
}

/** Adds `forget`; `load` reads the config or exits 1 with its problems. */
export function registerForgetCommand(program: Command, load: (file?: string) => LoadedConfig) {
  const fail = (error: unknown) => {
    process.stderr.write(`townhall: ${(error as Error).message}\n`);
    process.exit(1);
  };
  program
    .command('forget [member]')
    .description(
      'erase a member (email, member id or <platform>:<user id>) from the CRMs, help desks and store; --status shows progress',
    )
    .option('-c, --config <file>', 'config file')
    .option('--status <erasure-or-member>', 'show an erasure: done, pending, failed')
    .option('--reason <text>', 'why, for the audit record (no personal data)')
    .option('--by <name>', 'who asked, for the audit record (default: your login name)')
    .option('--json', 'with --status: as JSON')
    .option('--detach', 'start it and return')
    .action(
      (
        member: string | undefined,
        options: {
          config?: string;
          status?: string;
          reason?: string;
          by?: string;
          json?: boolean;
          detach?: boolean;
        },
      ) => {
        const loaded = load(options.config);
        const target = options.status ?? member;
        if (!target) return fail(new Error('name a member to forget, or --status <erasure id>'));
        const work = options.status
          ? status(loaded, target, options)
          : forget(loaded, target, options);
        return work.then((code) => process.exit(code), fail);
      },
    );
}
