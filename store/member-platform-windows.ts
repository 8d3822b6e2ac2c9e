import type { Db } from './db.js';
import type { Counts } from './member-view.js';
import { identityActivity } from './identity-activity.js';

const DAY_MS = 86_400_000;

/**
 * Activity counts by platform over 7, 30 and 90 days, across the member's non-staff identities:
 * the platform side of the windows store/member-view.ts counts by type.
 */
export async function platformWindows(
  db: Db,
  memberId: string,
  now = new Date(),
): Promise<{ last7Days: Counts; last30Days: Counts; last90Days: Counts }> {
  const since = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const rows = await identityActivity(db)
    .select((eb) => [
      'a.platform',
      eb.fn.countAll<string>().filterWhere('a.occurred_at', '>=', since(7)).as('d7'),
      eb.fn.countAll<string>().filterWhere('a.occurred_at', '>=', since(30)).as('d30'),
      eb.fn.countAll<string>().as('d90'),
    ])
    .where('i.member_id', '=', memberId)
    .where('i.staff', '=', false)
    .where('a.occurred_at', '>=', since(90))
    .groupBy('a.platform')
    .execute();
  const pick = (key: 'd7' | 'd30' | 'd90'): Counts => {
    const counts: Counts = {};
    for (const row of rows) if (Number(row[key]) > 0) counts[row.platform] = Number(row[key]);
    return counts;
  };
  return { last7Days: pick('d7'), last30Days: pick('d30'), last90Days: pick('d90') };
}
