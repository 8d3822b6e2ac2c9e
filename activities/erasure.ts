import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError } from '../connectors/errors.js';
import { signalMember } from '../server/journeys.js';
import type { ErasureScope } from '../store/erase-member.js';
import { eraseMemberFromStore, erasureScope } from '../store/erase-member.js';
import { completeErasure, getErasure, recordErasureOutcome, suppress } from '../store/erasures.js';
import { privacyHasher } from '../store/privacy-hash.js';
import { onboardingWorkflowId } from '../workflows/onboarding/types.js';
import type { ErasureInput, ErasurePlan } from '../workflows/erasure/types.js';
import type { ActivityDeps } from './index.js';
import { toActivityFailure } from './failures.js';

/** The reason an outcome gives for an error: its code, never the vendor's text (it may hold names). */
function failureDetail(error: unknown): { retryable: boolean; detail: string } {
  if (error instanceof ConnectorError)
    return {
      retryable: error.retryable,
      detail: `${error.code}${error.status ? ` (HTTP ${error.status})` : ''}`,
    };
  return { retryable: true, detail: error instanceof Error ? error.name : 'error' };
}

/**
 * The erasure's activities (workflows/erasure): each reads the member from the store (so their
 * addresses never travel through workflow history), acts, and records its outcome on the erasure
 * record, which is what `townhall forget --status` shows.
 */
export function createErasureActivities(deps: ActivityDeps) {
  const { db, logger } = deps;
  const crms = () => deps.crms ?? {};
  const helpdesks = () => deps.helpdesks ?? {};

  async function scopeOf(memberId: string): Promise<ErasureScope> {
    return erasureScope(db, memberId);
  }

  /** One delete per address the member has; how many the system held. */
  async function eachAddress(
    scope: ErasureScope,
    remove: (email: string) => Promise<{ deleted: boolean }>,
  ): Promise<string> {
    if (scope.emails.length === 0) return 'nothing to erase: no address known';
    let deleted = 0;
    for (const email of scope.emails) if ((await remove(email)).deleted) deleted += 1;
    return deleted > 0
      ? `deleted (${deleted} of ${scope.emails.length} addresses held)`
      : 'none held';
  }

  /** Erases the member's addresses from one system (`crm:<id>`, `helpdesk:<id>`). */
  function eraseFrom(system: string, scope: ErasureScope): Promise<string> {
    const [kind, id = ''] = system.split(':');
    const crm = kind === 'crm' ? crms()[id] : undefined;
    if (crm) return eachAddress(scope, (email) => crm.deletePerson(email));
    const desk = kind === 'helpdesk' ? helpdesks()[id] : undefined;
    if (desk) return eachAddress(scope, (email) => desk.deleteRequester(email));
    throw ApplicationFailure.nonRetryable(
      `${system} is not configured on this worker (connectors:)`,
      'NotConfigured',
    );
  }

  return {
    /**
     * The systems to erase from, recorded as pending (those done before stay done), and the
     * member's addresses suppressed at once: nothing is mailed to them from here on.
     */
    async planErasure(input: ErasureInput): Promise<ErasurePlan> {
      const record = await getErasure(db, input.erasureId);
      if (!record) throw ApplicationFailure.nonRetryable('no such erasure', 'NoSuchErasure');
      const scope = await scopeOf(input.memberId);
      const hash = await privacyHasher(db);
      await suppress(
        db,
        scope.emails.map((email) => hash('email', email)),
        input.erasureId,
      );
      const systems = [
        ...Object.keys(crms()).map((id) => `crm:${id}`),
        ...Object.keys(helpdesks()).map((id) => `helpdesk:${id}`),
      ].filter((system) => record.outcomes[system]?.status !== 'done');
      const pending = Object.fromEntries(
        [...systems, 'runs', 'store']
          .filter((system) => record.outcomes[system]?.status !== 'done')
          .map((system) => [system, { status: 'pending' as const, detail: 'not yet' }]),
      );
      await recordErasureOutcome(db, input.erasureId, pending);
      const platforms = [...new Set(scope.identities.map((identity) => identity.platform))];
      return {
        systems,
        notErasable: [
          ...platforms
            .sort()
            .map((platform) => `messages the member posted on ${platform} (delete them there)`),
          ...Object.keys(helpdesks()).map(
            (id) =>
              `the text of tickets on ${id}: the requester is deleted, the tickets stay with the desk (delete them there if the request covers them)`,
          ),
        ],
      };
    },

    /**
     * Ends the member's journeys (exit `erased`) and cancels their onboarding and handoff runs,
     * so none takes another step. Runs already finished are no error.
     */
    async stopMemberRuns(input: ErasureInput): Promise<void> {
      const scope = await scopeOf(input.memberId);
      const temporal = Context.current().client;
      let journeys = 0;
      let cancelled = 0;
      for (const memberId of scope.memberIds)
        journeys += await signalMember(
          { db, temporal, logger, timeoutMs: 10_000 },
          memberId,
          [],
          'erased',
        );
      const handoffs = scope.memberIds.length
        ? await db
            .selectFrom('handoff_threads')
            .select('workflow_id')
            .where('requester_member_id', 'in', scope.memberIds)
            .execute()
        : [];
      for (const workflowId of [
        ...scope.memberIds.map(onboardingWorkflowId),
        ...handoffs.map((row) => row.workflow_id),
      ]) {
        try {
          const handle = temporal.workflow.getHandle(workflowId);
          const { status } = await handle.describe();
          if (status.name !== 'RUNNING') continue;
          await handle.cancel();
          cancelled += 1;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      await recordErasureOutcome(db, input.erasureId, {
        runs: {
          status: 'done',
          detail: `${journeys} journey run(s) ended, ${cancelled} onboarding/handoff run(s) cancelled`,
        },
      });
    },

    /** Deletes the member from one CRM or help desk (`crm:<id>`, `helpdesk:<id>`). */
    async eraseFromSystem(input: ErasureInput & { system: string }): Promise<string> {
      const scope = await scopeOf(input.memberId);
      try {
        const detail = await eraseFrom(input.system, scope);
        await recordErasureOutcome(db, input.erasureId, {
          [input.system]: { status: 'done', detail },
        });
        return detail;
      } catch (error) {
        const { retryable, detail } = failureDetail(error);
        const attempt = Context.current().info.attempt;
        await recordErasureOutcome(db, input.erasureId, {
          [input.system]: retryable
            ? { status: 'pending', detail: `${detail}: retrying (attempt ${attempt})` }
            : { status: 'failed', detail: `${detail}: fix it, then run townhall forget again` },
        });
        logger.warn(
          { erasureId: input.erasureId, system: input.system, detail, attempt },
          'erasure not done yet',
        );
        throw toActivityFailure(error);
      }
    },

    /** Deletes the member from townhall's own store, last (the deletions above needed it). */
    async eraseFromStore(input: ErasureInput): Promise<void> {
      const scope = await scopeOf(input.memberId);
      const erased = await eraseMemberFromStore(db, scope, input.erasureId);
      await recordErasureOutcome(db, input.erasureId, {
        store: {
          status: 'done',
          detail: `${erased.members} member record(s), ${erased.activity} activity row(s) deleted; ${erased.events} stored event(s) redacted`,
        },
      });
    },

    async finishErasure(input: ErasureInput & { notErasable: string[] }): Promise<void> {
      await completeErasure(db, input.erasureId, input.notErasable);
      logger.info({ erasureId: input.erasureId }, 'erasure complete');
    },
  };
}
