import type { Kysely, Migration } from 'kysely';

/**
 * Whether the platform says the identity's email address is confirmed: true, false, or null
 * where the platform does not say. Onboarding email waits for a confirmed address
 * (store/member-facts.ts), so nobody can aim a welcome mail at someone else's inbox by signing
 * up with their address.
 */
export const emailVerified: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identities').addColumn('email_verified', 'boolean').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('identities').dropColumn('email_verified').execute();
  },
};
