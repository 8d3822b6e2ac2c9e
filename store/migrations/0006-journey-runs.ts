import type { Kysely, Migration } from 'kysely';

/**
 * The journey runs the router has started, with the events that end each one and those it waits
 * for: an event finds the runs to signal here, not by a scan of Temporal, and a member's last entry into a journey
 * gates `entry: once_per`.
 */
export const journeyRuns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('journey_runs')
      .addColumn('workflow_id', 'text', (c) => c.primaryKey())
      .addColumn('journey', 'text', (c) => c.notNull())
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('exit_when', 'jsonb', (c) => c.notNull())
      // The events its wait_until steps wait for: those reach it as member-event signals.
      .addColumn('awaits', 'jsonb', (c) => c.notNull())
      .addColumn('entered_at', 'timestamptz', (c) => c.notNull())
      // Set once a signal found the run finished: it is never signalled again.
      .addColumn('ended_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('journey_runs_member')
      .on('journey_runs')
      .columns(['member_id', 'journey', 'entered_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('journey_runs').execute();
  },
};
