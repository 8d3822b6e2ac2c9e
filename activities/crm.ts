import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './index.js';
import { asActivityFailure } from './failures.js';
import { requireMember } from './member.js';

export function createCrmActivities({ db, hubspot }: ActivityDeps) {
  /**
   * The community property group and properties, made sure of once per worker process before
   * its first contact write (a read and nothing more once they exist). A failure is forgotten,
   * so the activity's retry tries again.
   */
  let propertiesReady: Promise<unknown> | undefined;
  function ensureProperties(connector: NonNullable<typeof hubspot>): Promise<unknown> {
    propertiesReady ??= connector.ensureCommunityProperties().catch((error: unknown) => {
      propertiesReady = undefined;
      throw error;
    });
    return propertiesReady;
  }

  return {
    /** Idempotent by nature (upsert keyed by email), so it needs no ledger. */
    async upsertCrmContact(input: {
      memberId: string;
      properties: Record<string, string>;
    }): Promise<string> {
      if (!hubspot)
        throw ApplicationFailure.nonRetryable(
          'connectors.hubspot is not configured',
          'NotConfigured',
        );
      const member = await requireMember(db, input.memberId);
      if (!member.email) return 'skipped: member has no email';
      await asActivityFailure(() => ensureProperties(hubspot));
      const properties = { ...input.properties, ...(member.name ? splitName(member.name) : {}) };
      const result = await asActivityFailure(() =>
        hubspot.upsertContact({ email: member.email!, properties }),
      );
      return result.created
        ? `created contact ${result.contactId}`
        : `updated contact ${result.contactId}`;
    },
  };
}

function splitName(name: string): Record<string, string> {
  const [first = '', ...rest] = name.trim().split(/\s+/);
  return rest.length > 0 ? { firstname: first, lastname: rest.join(' ') } : { firstname: first };
}
