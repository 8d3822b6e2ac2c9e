// A CRM write that read its people before an erasure began, and reached the CRM after the
// erasure deleted them there, deletes them again (activities/erased-writes.ts): the real HubSpot
// connector against the sandbox portal, and the erasure recorded in a real store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { undoWritesOfErased } from '../../activities/erased-writes.js';
import { hubspotCrm } from '../../connectors/hubspot/capabilities.js';
import type { Crm } from '../../connectors/ports.js';
import { openErasure } from '../../store/erasures.js';
import { privacyHasher } from '../../store/privacy-hash.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { connector, sandbox, useHubSpotSandbox } from '../support/hubspot.js';

useHubSpotSandbox();
let t: TestDb;
let crm: Crm;
beforeAll(async () => {
  t = await openTestDb();
  crm = hubspotCrm(connector());
});
afterAll(() => t?.close());

const emailsInPortal = () =>
  sandbox.emulators.hubspot
    .list()
    .map((contact) => String(contact.properties.email))
    .sort();

async function erase(emails: string[]): Promise<string> {
  const hash = await privacyHasher(t.db);
  const [member] = await t.db
    .insertInto('members')
    .values({ email: emails[0]!, name: 'Erin' })
    .returning('id')
    .execute();
  const id = randomUUID();
  await openErasure(t.db, {
    id,
    memberId: member!.id,
    memberHash: hash('member', member!.id),
    emailHashes: emails.map((email) => hash('email', email)),
    requestedBy: 'dpo',
    source: 'api',
  });
  return id;
}

describe('writes of people erased since they were read', () => {
  it('deletes the person an erasure since the read covers, and no one else', async () => {
    const readAt = new Date();
    for (const email of ['erin@example.com', 'kept@example.com'])
      await crm.upsertPerson({ email, properties: {} });
    await erase(['Erin@Example.com ']);
    expect(
      await undoWritesOfErased(
        t.db,
        crm,
        [{ email: 'erin@example.com' }, { email: 'kept@example.com' }, {}],
        readAt,
      ),
    ).toBe(1);
    expect(emailsInPortal()).toEqual(['kept@example.com']);
  });

  it('leaves people of an erasure finished before the read alone (that read saw it)', async () => {
    const id = await erase(['old@example.com']);
    await sql`update erasures set requested_at = now() - interval '1 day' where id = ${id}`.execute(
      t.db,
    );
    await crm.upsertPerson({ email: 'old@example.com', properties: {} });
    expect(await undoWritesOfErased(t.db, crm, [{ email: 'old@example.com' }], new Date())).toBe(0);
    expect(emailsInPortal()).toEqual(['old@example.com']);
  });
});
