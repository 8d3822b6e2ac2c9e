import { ApplicationFailure } from '@temporalio/common';
import { Liquid } from 'liquidjs';
import type { Platform } from '../connectors/community.js';
import { claimDelivery, completeDelivery } from '../store/deliveries.js';
import { getIdentity } from '../store/members.js';
import type { ActivityDeps } from './index.js';
import { asActivityFailure } from './failures.js';
import { idempotencyKey } from './idempotency.js';
import { requireMember } from './member.js';

// Unknown variables are errors, so a typo never DMs "Hi ," to everyone who joins.
const liquid = new Liquid({ strictVariables: true, strictFilters: true });

async function render(template: string, vars: Record<string, unknown>): Promise<string> {
  try {
    return String(await liquid.parseAndRender(template, vars)).trim();
  } catch (error) {
    throw ApplicationFailure.nonRetryable(
      `dm.send text failed to render: ${(error as Error).message}`,
      'TemplateError',
    );
  }
}

export function createCommunityActivities({ db, logger, messengers }: ActivityDeps) {
  return {
    /**
     * One private message to the member on the platform they joined from. The ledger stops a
     * second send after a confirmed one; after an unconfirmed one (a crash or lost answer mid-
     * send) the platform connector's own dedup, keyed by the same idempotency key, finds the
     * earlier message instead of posting again.
     */
    async sendDirectMessage(input: {
      memberId: string;
      platform: Platform;
      text: string;
      subject: string;
    }): Promise<string> {
      const messenger = messengers?.[input.platform];
      if (!messenger) return `skipped: no ${input.platform} connector can send direct messages`;
      const member = await requireMember(db, input.memberId);
      const identity = await getIdentity(db, member.id, input.platform);
      if (!identity) return `skipped: member has no ${input.platform} identity`;

      const vars = { member: { name: member.name ?? identity.handle ?? 'there' } };
      const [text, subject] = [await render(input.text, vars), await render(input.subject, vars)];
      const key = idempotencyKey();
      const claim = await claimDelivery(db, key, `dm:${input.platform}`);
      if (claim.kind === 'sent') return 'already sent';
      if (claim.kind === 'unconfirmed')
        logger.info({ key }, 'an earlier attempt may have sent this DM; the connector dedups');

      const sent = await asActivityFailure(async () => {
        try {
          return await messenger.sendDirectMessage({
            to: { userId: identity.userId, handle: identity.handle ?? undefined },
            text,
            subject,
            dedupKey: key,
          });
        } catch (error) {
          await completeDelivery(db, key, 'failed');
          throw error;
        }
      });
      await completeDelivery(db, key, 'sent', sent.messageId);
      return sent.created === false ? 'already sent' : 'sent';
    },
  };
}
