import type { Client } from '@temporalio/client';
import type { Db } from '../../store/db.js';

/** Rows in received_events: what townhall stored of everything it was sent. */
export async function countReceivedEvents(db: Db): Promise<number> {
  const { n } = await db
    .selectFrom('received_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

export async function memberIdByEmail(db: Db, email: string): Promise<string | undefined> {
  const member = await db
    .selectFrom('members')
    .select('id')
    .where('email', '=', email)
    .executeTakeFirst();
  return member?.id;
}

/** Onboarding runs Temporal knows for a member (0 for no member). */
export async function onboardingRunsFor(
  temporal: Client,
  memberId: string | undefined,
): Promise<number> {
  if (!memberId) return 0;
  let runs = 0;
  for await (const _ of temporal.workflow.list({ query: `WorkflowId = 'onboarding:${memberId}'` }))
    runs++;
  return runs;
}
