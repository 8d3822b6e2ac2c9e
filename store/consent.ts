import type { Db } from './db.js';

export type ConsentChannel = 'email';

export async function hasOptedOut(
  db: Db,
  memberId: string,
  channel: ConsentChannel,
): Promise<boolean> {
  const row = await db
    .selectFrom('consent')
    .select('status')
    .where('member_id', '=', memberId)
    .where('channel', '=', channel)
    .executeTakeFirst();
  return row?.status === 'opted_out';
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
