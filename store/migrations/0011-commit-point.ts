import type { Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/**
 * The ledger's `committing` status (store/deliveries.ts): an attempt that reached its point of no
 * return (SMTP: the whole message is with the server, the final dot not yet sent). An attempt
 * that died in `sending` is known not to have acted, so it may be run again; one that died in
 * `committing` is unconfirmed.
 */
export const commitPoint: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table deliveries drop constraint deliveries_status_check`.execute(db);
    await sql`
      alter table deliveries add constraint deliveries_status_check
      check (status in ('sending', 'committing', 'sent', 'failed', 'unconfirmed'))
    `.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql`update deliveries set status = 'unconfirmed' where status = 'committing'`.execute(db);
    await sql`alter table deliveries drop constraint deliveries_status_check`.execute(db);
    await sql`
      alter table deliveries add constraint deliveries_status_check
      check (status in ('sending', 'sent', 'failed', 'unconfirmed'))
    `.execute(db);
  },
};
