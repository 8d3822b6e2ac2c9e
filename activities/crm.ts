import { undoWritesOfErased } from './erased-writes.js';
import type { ActivityDeps } from './index.js';
import { asActivityFailure } from './failures.js';
import { requireMember } from './member.js';
import { requireCapability } from './not-configured.js';

export function createCrmActivities({ db, crm }: ActivityDeps) {
  return {
    /** Idempotent by nature (an upsert keyed by email), so it needs no ledger. */
    async upsertCrmContact(input: {
      memberId: string;
      properties: Record<string, string>;
    }): Promise<string> {
      const port = requireCapability(crm, 'crm');
      const readAt = new Date();
      const member = await requireMember(db, input.memberId);
      if (!member.email) return 'skipped: member has no email';
      await asActivityFailure(() => port.ensureProperties());
      const person = {
        email: member.email,
        name: member.name ?? undefined,
        properties: input.properties,
      };
      const result = await asActivityFailure(() => port.upsertPerson(person));
      // Erased since it was read: the contact goes again, and the run learns it was not kept.
      if (await asActivityFailure(() => undoWritesOfErased(db, port, [person], readAt)))
        return 'deleted again: the member is being erased';
      return result.created
        ? `created contact ${result.personId}`
        : `updated contact ${result.personId}`;
    },
  };
}
