import type { Kysely, Migration } from 'kysely';

/**
 * The support handoff's threads: one row per thread a handoff run serves (its workflow id), with
 * the ticket once it exists. Help-desk webhooks find their run by (help desk, ticket id); thread
 * messages find theirs by the workflow id, which names the thread.
 */
export const handoff: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('handoff_threads')
      .addColumn('workflow_id', 'text', (c) => c.primaryKey())
      .addColumn('platform', 'text', (c) => c.notNull())
      .addColumn('helpdesk', 'text', (c) => c.notNull())
      .addColumn('ticket_id', 'text')
      .addColumn('requester_member_id', 'uuid', (c) =>
        c.references('members.id').onDelete('set null'),
      )
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('handoff_threads_ticket')
      .on('handoff_threads')
      .columns(['helpdesk', 'ticket_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('handoff_threads').execute();
  },
};
