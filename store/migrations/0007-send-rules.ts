import type { Kysely, Migration } from 'kysely';

/**
 * What send windows and caps read: each identity's time zone as its platform profile gives it,
 * and the slots journeys' messages took, per member and channel, which the caps count. And an
 * index for the inactivity scan's range over last-active.
 */
export const sendRules: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identities').addColumn('timezone', 'text').execute();
    await db.schema
      .createTable('send_slots')
      // Workflow id + step activity id: a retry of the same message finds its slot.
      .addColumn('step_key', 'text', (c) => c.primaryKey())
      .addColumn('member_id', 'uuid', (c) =>
        c.notNull().references('members.id').onDelete('cascade'),
      )
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('taken_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('send_slots_member')
      .on('send_slots')
      .columns(['member_id', 'channel', 'taken_at'])
      .execute();
    // The inactivity scan's range: members quiet since a cutoff.
    await db.schema
      .createIndex('member_stats_last_active')
      .on('member_stats')
      .column('last_active_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('member_stats_last_active').execute();
    await db.schema.dropTable('send_slots').execute();
    await db.schema.alterTable('identities').dropColumn('timezone').execute();
  },
};
