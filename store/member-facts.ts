import { sql } from 'kysely';
import type { Db } from './db.js';
import { hasOptedOut } from './consent.js';

/** What a journey's `if` step can ask about a member (workflows/steps/if.ts). */
export interface MemberFacts {
  platforms: string[];
  level: string | null;
  hasEmail: boolean;
  /**
   * False while a platform says the member's address is unconfirmed and none says it is
   * confirmed; true where no platform says (store/members.ts keeps what each one said).
   */
  emailConfirmed: boolean;
  /** False once they unsubscribed from email. */
  emailConsent: boolean;
  milestones: string[];
  /** Messages posted, in total. */
  posts: number;
  /** IANA zone from the most recently seen platform profile that gives one. */
  timezone: string | null;
}

/** The member's facts as the member view has them now. */
export async function memberFacts(db: Db, memberId: string): Promise<MemberFacts> {
  const [member, identities, stats, milestones, optedOut, confirmed] = await Promise.all([
    db.selectFrom('members').select('email').where('id', '=', memberId).executeTakeFirst(),
    db
      .selectFrom('identities')
      .select(['platform', 'timezone'])
      .where('member_id', '=', memberId)
      .orderBy(sql`last_seen_at desc nulls last`)
      .execute(),
    db
      .selectFrom('member_stats')
      .select(['level', 'by_type'])
      .where('member_id', '=', memberId)
      .executeTakeFirst(),
    db.selectFrom('milestones').select('name').where('member_id', '=', memberId).execute(),
    hasOptedOut(db, memberId, 'email'),
    emailConfirmed(db, memberId),
  ]);
  return {
    platforms: [...new Set(identities.map((identity) => identity.platform))].sort(),
    level: stats?.level ?? null,
    hasEmail: Boolean(member?.email),
    emailConfirmed: confirmed,
    emailConsent: !optedOut,
    milestones: milestones.map((row) => row.name).sort(),
    posts: Number(stats?.by_type?.['message.posted'] ?? 0),
    timezone: identities.find((identity) => identity.timezone)?.timezone ?? null,
  };
}

/** Whether the member's address may be mailed: see MemberFacts.emailConfirmed. */
export async function emailConfirmed(db: Db, memberId: string): Promise<boolean> {
  const said = await db
    .selectFrom('identities')
    .innerJoin('members', 'members.id', 'identities.member_id')
    .select([
      sql<boolean | null>`bool_or(identities.email_verified)`.as('confirmed'),
      sql<boolean | null>`bool_or(not identities.email_verified)`.as('unconfirmed'),
    ])
    .where('members.id', '=', memberId)
    .where(sql<boolean>`lower(identities.email) = lower(members.email)`)
    .executeTakeFirst();
  return said?.confirmed === true || said?.unconfirmed !== true;
}
