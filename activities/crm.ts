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
      const member = await requireMember(db, input.memberId);
      if (!member.email) return 'skipped: member has no email';
      await asActivityFailure(() => port.ensureProperties());
      const person = {
        email: member.email,
        name: member.name ?? undefined,
        properties: input.properties,
      };
      const result = await asActivityFailure(() => port.upsertPerson(person));
      return result.created
        ? `created contact ${result.personId}`
        : `updated contact ${result.personId}`;
    },
  };
}
