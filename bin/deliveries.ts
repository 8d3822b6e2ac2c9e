// `townhall deliveries in-doubt`: the emails, DMs and posts nobody knows went out (their attempt
// vanished past the point of no return), for ops to check by hand. townhall never resends them.
import type { Command } from 'commander';
import type { DeliveryInDoubt } from '../store/deliveries.js';
import { listDeliveriesInDoubt } from '../store/deliveries.js';
import { localStore } from './hub-connection.js';

/** One line per effect in doubt: its channel, its key (run and step), since when, why. */
export function formatInDoubt(deliveries: readonly DeliveryInDoubt[]): string {
  if (deliveries.length === 0) return 'No deliveries in doubt.';
  return [
    `${deliveries.length} deliver${deliveries.length === 1 ? 'y' : 'ies'} in doubt (never resent; check the recipient or the relay's log):`,
    ...deliveries.map((d) =>
      [
        d.channel,
        d.status,
        d.key,
        `since ${d.since.slice(0, 19).replace('T', ' ')} UTC`,
        `${d.attempts} attempt${d.attempts === 1 ? '' : 's'}`,
        ...(d.detail ? [d.detail] : []),
      ].join('  '),
    ),
  ].join('\n');
}

export function registerDeliveriesCommands(program: Command) {
  program
    .command('deliveries')
    .description('outbound effects in the send ledger')
    .command('in-doubt')
    .description('emails, DMs and posts whose attempt vanished past the point of no return')
    .option('--json', 'as JSON')
    .option('--limit <n>', 'at most this many, newest first (default 100)')
    .action(async (options: { json?: boolean; limit?: string }) => {
      const limit = options.limit === undefined ? 100 : Number(options.limit);
      if (!(Number.isInteger(limit) && limit > 0)) {
        process.stderr.write(
          `townhall: --limit ${options.limit}: expected a whole number above 0\n`,
        );
        process.exit(1);
      }
      const db = await localStore();
      try {
        const found = await listDeliveriesInDoubt(db, { limit });
        process.stdout.write(
          `${options.json ? JSON.stringify(found, null, 2) : formatInDoubt(found)}\n`,
        );
      } finally {
        await db.destroy();
      }
      process.exit(0);
    });
}
