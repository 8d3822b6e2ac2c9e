import { ApplicationFailure } from '@temporalio/common';
import { unsubscribeHeaders } from '../connectors/email/unsubscribe.js';
import { ConnectorError } from '../connectors/errors.js';
import { hasOptedOut } from '../store/consent.js';
import { claimDelivery, completeDelivery } from '../store/deliveries.js';
import type { ActivityDeps } from './index.js';
import { asActivityFailure, toActivityFailure } from './failures.js';
import { idempotencyKey } from './idempotency.js';
import { requireMember } from './member.js';

export function createEmailActivities({ db, email, logger }: ActivityDeps) {
  return {
    /**
     * Sends one templated email at most once per step: the deliveries ledger, keyed by workflow
     * id + activity id, survives retries, worker crashes and replays.
     */
    async sendEmail(input: {
      memberId: string;
      template: string;
      subject: string;
    }): Promise<string> {
      if (!email)
        throw ApplicationFailure.nonRetryable(
          'connectors.email is not configured',
          'NotConfigured',
        );
      const member = await requireMember(db, input.memberId);
      if (!member.email) return 'skipped: member has no email';
      if (await hasOptedOut(db, member.id, 'email')) return 'skipped: member opted out of email';

      const key = idempotencyKey();
      // Render before claiming: a template error must not leave a claim behind.
      const rendered = await asActivityFailure(() =>
        email.render(input.template, input.subject, { member: { name: member.name ?? 'there' } }),
      );

      const claim = await claimDelivery(db, key, 'email');
      if (claim.kind === 'sent') return 'already sent';
      if (claim.kind === 'unconfirmed') {
        logger.warn({ key }, 'an earlier attempt crashed mid-send; not sending again');
        return 'unconfirmed: an earlier attempt may have sent it';
      }
      try {
        const { messageId } = await email.connector.send({
          ...rendered,
          from: email.from,
          to: member.email,
          idempotencyKey: key,
          headers: unsubscribeHeaders(email.unsubscribe, member.id),
        });
        await completeDelivery(db, key, 'sent', messageId);
        return 'sent';
      } catch (error) {
        await completeDelivery(
          db,
          key,
          'failed',
          error instanceof ConnectorError ? error.code : 'error',
        );
        throw toActivityFailure(error);
      }
    },
  };
}
