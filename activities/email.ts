import { unsubscribeHeaders } from '../connectors/email/unsubscribe.js';
import { hasOptedIn, hasOptedOut } from '../store/consent.js';
import { emailConfirmed } from '../store/member-facts.js';
import { ADDRESS_UNCONFIRMED } from '../workflows/steps/email-send.js';
import { isSuppressed } from '../store/erasures.js';
import { privacyHasher } from '../store/privacy-hash.js';
import type { ActivityDeps } from './index.js';
import { activityKey } from './activity-key.js';
import { asActivityFailure, toActivityFailure } from './failures.js';
import { requireMember } from './member.js';
import { requireCapability } from './not-configured.js';
import { sendOnce } from './send-once.js';
import type { EmailRenderer } from './templates.js';
import { createEmailRenderer } from './templates.js';

export function createEmailActivities(deps: ActivityDeps) {
  const { db, mailer, publicUrl } = deps;
  let render: EmailRenderer | undefined;
  let hasher: ReturnType<typeof privacyHasher> | undefined;

  /** An erased member's address, unless its new member opted in since (store/erasures.ts). */
  async function suppressed(memberId: string, email: string): Promise<boolean> {
    // A store that was down at the first call is asked again at the next.
    const hash = await (hasher ??= privacyHasher(db).catch((error: unknown) => {
      hasher = undefined;
      throw error;
    }));
    return (
      (await isSuppressed(db, hash('email', email))) && !(await hasOptedIn(db, memberId, 'email'))
    );
  }

  return {
    /**
     * Sends one templated email at most once per step (activities/send-once.ts): retries,
     * worker crashes and replays never send it twice.
     */
    async sendEmail(input: {
      memberId: string;
      template: string;
      subject: string;
    }): Promise<string> {
      const port = requireCapability(mailer, 'mailer');
      const member = await requireMember(db, input.memberId);
      if (!member.email) return 'skipped: member has no email';
      if (await hasOptedOut(db, member.id, 'email')) return 'skipped: member opted out of email';
      // Anyone can sign up with someone else's address: none is mailed before it is confirmed
      // where the platform tells (the email step waits for it, workflows/steps/email-send.ts).
      if (!(await emailConfirmed(db, member.id))) return ADDRESS_UNCONFIRMED;
      if (await suppressed(member.id, member.email))
        return 'skipped: this address was erased on request (suppressed)';

      const { sender } = port;
      const renderer = (render ??= createEmailRenderer(sender.templatesDir));
      // Render before claiming: a template error must not leave a claim behind.
      const rendered = await asActivityFailure(() =>
        renderer(input.template, input.subject, { member: { name: member.name ?? 'there' } }),
      );
      const key = activityKey();
      const to = member.email;
      const outcome = await sendOnce(deps, key, 'email', {
        // SMTP cannot be asked whether a message went out, but it commits a message only at the
        // final dot: an attempt that vanished before it is sent again, one after it never is.
        findsEarlier: false,
        marksCommit: true,
        run: (attempt) =>
          port.send({
            ...rendered,
            from: sender.from,
            to,
            idempotencyKey: key,
            headers: unsubscribeHeaders({ ...sender.unsubscribe, baseUrl: publicUrl }, member.id),
            commit: attempt.commit,
          }),
      }).catch((error: unknown) => {
        throw toActivityFailure(error);
      });
      if (outcome.status === 'already') return 'already sent';
      if (outcome.status === 'unconfirmed')
        return 'unconfirmed: an earlier attempt may have sent it';
      return 'sent';
    },
  };
}
