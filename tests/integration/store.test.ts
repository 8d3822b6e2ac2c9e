import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommunityEvent } from '../../connectors/events.js';
import { hasOptedOut, recordConsent } from '../../store/consent.js';
import {
  claimDelivery,
  completeDelivery,
  getDelivery,
  markCommitting,
} from '../../store/deliveries.js';
import { markEventProcessed, recordEvent } from '../../store/events.js';
import { migrateToLatest } from '../../store/migrate.js';
import { getMember, upsertMemberFromIdentity } from '../../store/members.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await openTestDb();
});
afterAll(() => t.close());

describe(`store (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('migrates once; a second run applies nothing', async () => {
    expect(await migrateToLatest(t.db)).toEqual([]);
  });

  it('resolves concurrent deliveries of one identity to one member', async () => {
    const member = { userId: 'U-race', communityId: 'T1', email: 'race@example.com', name: 'Race' };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => upsertMemberFromIdentity(t.db, 'slack', member)),
    );
    expect(new Set(results.map((r) => r.memberId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const count = await t.db
      .selectFrom('members')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('email', '=', 'race@example.com')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('joins a second platform identity with the same email (any case) to the same member', async () => {
    const slack = await upsertMemberFromIdentity(t.db, 'slack', {
      userId: 'U-ada',
      communityId: 'T1',
      email: 'ada@example.com',
      name: 'Ada',
    });
    const discourse = await upsertMemberFromIdentity(t.db, 'discourse', {
      userId: '42',
      communityId: 'forum',
      email: 'ADA@example.com',
    });
    expect(discourse).toEqual({ memberId: slack.memberId, created: false, staff: false });
    expect(await getMember(t.db, slack.memberId)).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada',
    });
  });

  it('keeps members without an email apart', async () => {
    const a = await upsertMemberFromIdentity(t.db, 'slack', { userId: 'U-a', communityId: 'T1' });
    const b = await upsertMemberFromIdentity(t.db, 'slack', { userId: 'U-b', communityId: 'T1' });
    expect(a.memberId).not.toBe(b.memberId);
  });

  it('records an event once and remembers whether it was processed', async () => {
    const event: CommunityEvent = {
      type: 'member.joined',
      eventId: 'slack:EvStore1',
      platform: 'slack',
      occurredAt: new Date().toISOString(),
      member: { userId: 'U9', communityId: 'T1' },
    };
    expect(await recordEvent(t.db, event.platform, event)).toEqual({
      alreadyProcessed: false,
      inserted: true,
    });
    // A redelivery before processing finished must be processed again, not dropped.
    expect(await recordEvent(t.db, event.platform, event)).toEqual({
      alreadyProcessed: false,
      inserted: false,
    });
    await markEventProcessed(t.db, event.eventId);
    expect(await recordEvent(t.db, event.platform, event)).toEqual({
      alreadyProcessed: true,
      inserted: false,
    });
  });

  it('stores an event handled in the same transaction as processed, or not at all', async () => {
    const event = (id: string): CommunityEvent => ({
      type: 'member.joined',
      eventId: `slack:EvStoreProcessed${id}`,
      platform: 'slack',
      occurredAt: new Date().toISOString(),
      member: { userId: 'U9', communityId: 'T1' },
    });
    const handled = event('1');
    await t.db.transaction().execute(async (trx) => {
      const first = await recordEvent(trx, 'slack', handled, { processed: true });
      // New, so the caller handles it: processed only once this transaction commits.
      expect(first).toEqual({ alreadyProcessed: false, inserted: true });
    });
    expect(await recordEvent(t.db, 'slack', handled)).toEqual({
      alreadyProcessed: true,
      inserted: false,
    });
    // Handling failed: the row goes with the transaction, and the redelivery handles it anew.
    const failed = event('2');
    await expect(
      t.db.transaction().execute(async (trx) => {
        await recordEvent(trx, 'slack', failed, { processed: true });
        throw new Error('handling failed');
      }),
    ).rejects.toThrow('handling failed');
    expect(await recordEvent(t.db, 'slack', failed)).toEqual({
      alreadyProcessed: false,
      inserted: true,
    });
  });

  it('lets one attempt claim a delivery; a later one sees it sent', async () => {
    expect(await claimDelivery(t.db, 'wf-1/step-1', 'email')).toEqual({
      kind: 'claimed',
      fence: 1,
    });
    await completeDelivery(t.db, 'wf-1/step-1', 1, 'sent', '<id@x>');
    expect(await claimDelivery(t.db, 'wf-1/step-1', 'email')).toEqual({ kind: 'sent' });
  });

  it('retries a delivery that definitely failed', async () => {
    expect(await claimDelivery(t.db, 'wf-2/step-1', 'email')).toEqual({
      kind: 'claimed',
      fence: 1,
    });
    await completeDelivery(t.db, 'wf-2/step-1', 1, 'failed', 'unavailable');
    expect(await claimDelivery(t.db, 'wf-2/step-1', 'email')).toEqual({
      kind: 'claimed',
      fence: 2,
    });
    const row = await t.db
      .selectFrom('deliveries')
      .selectAll()
      .where('idempotency_key', '=', 'wf-2/step-1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sending', attempts: 2 });
  });

  it('never re-sends a delivery whose attempt vanished mid-send', async () => {
    expect(await claimDelivery(t.db, 'wf-3/step-1', 'email')).toEqual({
      kind: 'claimed',
      fence: 1,
    });
    // No completeDelivery: the worker died between claiming and hearing back from SMTP.
    expect(await claimDelivery(t.db, 'wf-3/step-1', 'email')).toMatchObject({
      kind: 'unconfirmed',
    });
    expect(await claimDelivery(t.db, 'wf-3/step-1', 'email')).toMatchObject({
      kind: 'unconfirmed',
    });
  });

  it('takes over a send whose attempt vanished before its point of no return, and fences the old one out', async () => {
    const key = 'wf-5/step-1';
    const marksCommit = { marksCommit: true };
    expect(await claimDelivery(t.db, key, 'email', marksCommit)).toEqual({
      kind: 'claimed',
      fence: 1,
    });
    // The first attempt vanished before committing: the next one takes the send over.
    expect(await claimDelivery(t.db, key, 'email', marksCommit)).toEqual({
      kind: 'claimed',
      fence: 2,
    });
    // The first attempt, slow rather than dead, can neither commit nor record an outcome.
    expect(await markCommitting(t.db, key, 1)).toBe(false);
    await completeDelivery(t.db, key, 1, 'sent', '<old@x>');
    expect(await getDelivery(t.db, key)).toMatchObject({ status: 'sending', detail: null });
    expect(await markCommitting(t.db, key, 2)).toBe(true);
    // Vanished after the point of no return: nobody knows, so nobody sends again.
    expect(await claimDelivery(t.db, key, 'email', marksCommit)).toMatchObject({
      kind: 'unconfirmed',
    });
  });

  it('leaves a failure after the point of no return unconfirmed, one before it retryable', async () => {
    const marksCommit = { marksCommit: true };
    expect(await claimDelivery(t.db, 'wf-6/a', 'email', marksCommit)).toMatchObject({ fence: 1 });
    await completeDelivery(t.db, 'wf-6/a', 1, 'failed', 'unavailable');
    expect(await claimDelivery(t.db, 'wf-6/a', 'email', marksCommit)).toMatchObject({ fence: 2 });

    expect(await claimDelivery(t.db, 'wf-6/b', 'email', marksCommit)).toMatchObject({ fence: 1 });
    expect(await markCommitting(t.db, 'wf-6/b', 1)).toBe(true);
    await completeDelivery(t.db, 'wf-6/b', 1, 'failed', 'unavailable');
    expect(await getDelivery(t.db, 'wf-6/b')).toMatchObject({ status: 'unconfirmed' });
    expect(await claimDelivery(t.db, 'wf-6/b', 'email', marksCommit)).toMatchObject({
      kind: 'unconfirmed',
    });
  });

  it('gives exactly one of many concurrent claimants the send', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => claimDelivery(t.db, 'wf-4/step-1', 'email')),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
  });

  it('records consent and reads opt-outs', async () => {
    const { memberId } = await upsertMemberFromIdentity(t.db, 'slack', {
      userId: 'U-c',
      communityId: 'T1',
    });
    expect(await hasOptedOut(t.db, memberId, 'email')).toBe(false);
    await recordConsent(t.db, memberId, 'email', 'opted_out', 'test');
    expect(await hasOptedOut(t.db, memberId, 'email')).toBe(true);
  });
});
