import type { Kysely, Migration } from 'kysely';

/**
 * Erasures by when they were asked for: every CRM write checks those requested since it read its
 * people (activities/erased-writes.ts), and the table keeps every erasure for good.
 */
export const erasuresRequestedAt: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('erasures_requested_at')
      .on('erasures')
      .column('requested_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('erasures_requested_at').execute();
  },
};
