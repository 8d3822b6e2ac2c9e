// `townhall events ...`: the dead letters (inbound events set aside because they can never be
// processed as they are) and their replay through the same routers the webhooks use.
import type { Command } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { createLogger } from '../runtime/logger.js';
import { journeySearchAttributesReady } from '../runtime/search-attributes.js';
import { businessRouter, communityRouter, openStore } from '../runtime/services.js';
import { resolveSettings } from '../runtime/settings.js';
import { cliTemporalClient } from '../runtime/temporal.js';
import type { ReplayResult } from '../server/replay.js';
import { replayDeadLetter, replaySucceeded } from '../server/replay.js';
import type { DeadLetterSummary } from '../store/dead-letters.js';
import { listDeadLetters } from '../store/dead-letters.js';
import { localStore } from './hub-connection.js';

const print = (text: string) => process.stdout.write(`${text}\n`);

/** One line per dead letter: what it is, how often it came, why it failed. */
export function formatDeadLetters(letters: readonly DeadLetterSummary[]): string {
  if (letters.length === 0) return 'No dead letters.';
  return letters
    .map((letter) =>
      [
        `#${letter.id}`,
        letter.status,
        `${letter.source} ${letter.type} ${letter.eventId}`,
        `${letter.attempts} deliver${letter.attempts === 1 ? 'y' : 'ies'}, last ${letter.lastSeen.slice(0, 19).replace('T', ' ')} UTC`,
        letter.status === 'replayed'
          ? `replayed ${letter.replayedAt?.slice(0, 10) ?? ''} (${letter.replayOutcome ?? 'unknown'})`
          : `${letter.errorCode}: ${letter.reason}`,
        ...(letter.erased ? ['event erased'] : []),
      ].join('  '),
    )
    .join('\n');
}

/** What a replay did, in one line. */
export function formatReplay(result: ReplayResult): string {
  switch (result.status) {
    case 'replayed':
      return `dead letter ${result.id} (${result.eventId}) replayed: ${result.outcome}`;
    case 'already-replayed':
      return `dead letter ${result.id} (${result.eventId}) was replayed at ${result.at}: ${result.outcome}; nothing done`;
    case 'refused':
      return `dead letter ${result.id}: ${result.why}`;
    case 'failed':
      return result.failure.kind === 'outage'
        ? `dead letter ${result.id} (${result.eventId}) not replayed: a dependency is down (${result.failure.code}: ${result.failure.reason}); try again`
        : `dead letter ${result.id} (${result.eventId}) failed again, kept: ${result.failure.code}: ${result.failure.reason}`;
  }
}

/** The store as the server opens it: DATABASE_URL, else PGlite in $TOWNHALL_DATA_DIR. */
async function list(options: { json?: boolean; all?: boolean; limit?: string }) {
  const db = await localStore();
  try {
    const limit = options.limit === undefined ? undefined : Number(options.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      throw new Error(`--limit ${options.limit}: expected a whole number above 0`);
    const letters = await listDeadLetters(db, { all: options.all, limit });
    print(options.json ? JSON.stringify(letters, null, 2) : formatDeadLetters(letters));
  } finally {
    await db.destroy();
  }
}

/**
 * Replays each id (or, with `all`, every open dead letter) through the routers this config
 * builds, against the running hub's Temporal and store. Exit 0 when every one went through.
 */
async function replay(loaded: LoadedConfig, ids: string[], options: { all?: boolean }) {
  const wanted = ids.map((id) => {
    if (!/^\d+$/.test(id))
      throw new Error(`${id} is not a dead letter id (see townhall events dead-letters)`);
    return Number(id);
  });
  if (wanted.length === 0 && !options.all)
    throw new Error('name the dead letters to replay (townhall events dead-letters), or --all');
  const logger = createLogger('townhall');
  logger.level = 'warn';
  const settings = resolveSettings(loaded.config, process.env);
  // With the hub's payload keys: what it starts is encrypted like the rest (runtime/codec/).
  const temporal = cliTemporalClient(settings).client;
  const db = await openStore(settings, logger);
  try {
    if (options.all)
      for (const letter of await listDeadLetters(db, { limit: 10_000 }))
        if (letter.status !== 'processed' && !wanted.includes(letter.id)) wanted.push(letter.id);
    const searchAttributes = await journeySearchAttributesReady(
      temporal,
      settings.temporal.namespace,
      logger,
    ).catch(() => false);
    const deps = {
      db,
      community: communityRouter(loaded, settings, db, temporal, logger, searchAttributes),
      business: businessRouter(loaded, settings, db, temporal, logger),
    };
    let failed = 0;
    for (const id of wanted) {
      const result = await replayDeadLetter(deps, id);
      print(formatReplay(result));
      if (!replaySucceeded(result)) failed += 1;
    }
    if (wanted.length === 0) print('No dead letters to replay.');
    return failed === 0;
  } finally {
    await db.destroy();
    await temporal.connection.close();
  }
}

/** Adds `events dead-letters` and `events replay`; `load` reads the config or exits 1. */
export function registerEventsCommands(program: Command, load: (file?: string) => LoadedConfig) {
  const events = program
    .command('events')
    .description('inbound events set aside as unprocessable (dead letters), and their replay');
  const fail = (error: unknown) => {
    process.stderr.write(`townhall: ${(error as Error).message}\n`);
    process.exit(1);
  };
  events
    .command('dead-letters')
    .description('list the events set aside (open ones; --all includes replayed), newest first')
    .option('--json', 'as JSON (as GET /api/dead-letters returns it)')
    .option('--all', 'include the replayed ones')
    .option('--limit <n>', 'at most this many (default 100)')
    .action((options: { json?: boolean; all?: boolean; limit?: string }) =>
      list(options).then(() => process.exit(0), fail),
    );
  events
    .command('replay [ids...]')
    .description(
      'run dead letters through the router again; exit 1 when one fails again (it is kept, with the reason)',
    )
    .option('-c, --config <file>', 'config file (the workflows and handoff rules to route with)')
    .option('--all', 'every open dead letter')
    .action((ids: string[], options: { config?: string; all?: boolean }) =>
      replay(load(options.config), ids, options).then((ok) => process.exit(ok ? 0 : 1), fail),
    );
}
