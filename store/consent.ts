import type { Db } from './db.js';

export type ConsentChannel = 'email';

/** The member's own word on a channel, if they gave one. */
async function consentOf(
  db: Db,
  memberId: string,
  channel: ConsentChannel,
): Promise<'opted_in' | 'opted_out' | undefined> {
  const row = await db
    .selectFrom('consent')
    .select('status')
    .where('member_id', '=', memberId)
    .where('channel', '=', channel)
    .executeTakeFirst();
  return row?.status;
}

export async function hasOptedOut(
  db: Db,
  memberId: string,
  channel: ConsentChannel,
): Promise<boolean> {
  return (await consentOf(db, memberId, channel)) === 'opted_out';
}

/** The member said yes to this channel themselves (a re-join after erasure must, to be mailed). */
export async function hasOptedIn(
  db: Db,
  memberId: string,
  channel: ConsentChannel,
): Promise<boolean> {
  return (await consentOf(db, memberId, channel)) === 'opted_in';
}

export async function recordConsent(
  db: Db,
  memberId: string,
  channel: ConsentChannel,
  status: 'opted_in' | 'opted_out',
  source: string,
): Promise<void> {
  await db
    .insertInto('consent')
    .values({ member_id: memberId, channel, status, source })
    .onConflict((oc) =>
      oc.columns(['member_id', 'channel']).doUpdateSet({ status, source, updated_at: new Date() }),
    )
    .execute();
}
