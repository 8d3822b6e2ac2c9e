import { describe, expect, it } from 'vitest';
import {
  connector,
  crmOf,
  people,
  records,
  requestsTo,
  sandbox,
  startSalesforceSandbox,
  useSalesforceSandbox,
} from '../support/salesforce.js';

/** The fields townhall needs, and people read and deleted by email. */

useSalesforceSandbox();

describe('ensureProperties', () => {
  it('passes when the org has every field, and describes the object only once', async () => {
    const crm = crmOf();
    await crm.ensureProperties();
    await crm.ensureProperties();
    expect(requestsTo('GET', /\/sobjects\/Contact\/describe$/)).toHaveLength(1);
  });

  it('names every missing custom field and how an admin creates it', async () => {
    const org = await startSalesforceSandbox({
      missingFields: ['Townhall_Member_Id__c', 'Community_Last_Active__c'],
    });
    try {
      const crm = crmOf(connector({}, org));
      const error = await crm.ensureProperties().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid', retryable: false });
      const message = (error as Error).message;
      expect(message).toContain(
        'create Contact.Townhall_Member_Id__c as Text(64), External ID, Unique',
      );
      expect(message).toContain('create Contact.Community_Last_Active__c as Date/Time');
      expect(message).toContain('Setup > Object Manager');
      expect(message).not.toContain('Community_Platforms__c');

      // A failure is not remembered: the next call describes again.
      await crm.ensureProperties().catch(() => undefined);
      const describes = org.emulators.salesforce
        .requests()
        .filter((r) => r.path.endsWith('/describe'));
      expect(describes).toHaveLength(2);
    } finally {
      await org.stop();
    }
  });

  it('names a configured field the org lacks, and an external id field that is not one', async () => {
    const org = await startSalesforceSandbox({
      customFields: [
        { name: 'Townhall_Member_Id__c', type: 'string', length: 64 },
        { name: 'Community_Platforms__c', type: 'string', length: 255 },
        { name: 'Community_First_Seen__c', type: 'datetime' },
        { name: 'Community_Last_Active__c', type: 'datetime' },
        { name: 'Community_Activity_30d__c', type: 'double' },
        { name: 'Community_Engagement_Level__c', type: 'string', length: 40 },
        { name: 'Community_Milestones__c', type: 'textarea', length: 32_768 },
      ],
    });
    try {
      const client = connector({ fields: { lifecyclestage: 'Lifecycle_Stage__c' } }, org);
      const error = await crmOf(client)
        .ensureProperties()
        .catch((e: unknown) => e);
      expect((error as Error).message).toContain(
        'mark Contact.Townhall_Member_Id__c as External ID (and Unique)',
      );
      expect((error as Error).message).toContain('create Contact.Lifecycle_Stage__c as');
    } finally {
      await org.stop();
    }
  });
});

describe('readPeople', () => {
  it('finds people by email with the properties asked for; the others are missing', async () => {
    const crm = crmOf();
    await crm.upsertPeople([
      ...people(3),
      { memberId: 'm-obrien', email: "o'brien@example.com", name: 'Pat O’Brien', properties: {} },
    ]);
    const { found, missing } = await crm.readPeople(
      ['MEMBER1@example.com', "o'brien@example.com", 'nobody@example.com'],
      [
        'townhall_member_id',
        'community_platforms',
        'community_activity_30d',
        'community_milestones',
      ],
    );
    expect(found).toEqual([
      {
        personId: records().get('m-1')!.Id,
        email: 'member1@example.com',
        properties: {
          townhall_member_id: 'm-1',
          community_platforms: 'discourse',
          community_activity_30d: '1',
          community_milestones: null,
        },
      },
      {
        personId: records().get('m-obrien')!.Id,
        email: "o'brien@example.com",
        properties: {
          townhall_member_id: 'm-obrien',
          community_platforms: null,
          community_activity_30d: null,
          community_milestones: null,
        },
      },
    ]);
    expect(missing).toEqual(['nobody@example.com']);
  });

  it('an address crafted to break out of the query finds nobody', async () => {
    const crm = crmOf();
    await crm.upsertPeople(people(5));
    const crafted = ["x' OR Email != 'y", "x\\' OR Email != \\'y", 'x\nOR Email != null'];
    const { found, missing } = await crm.readPeople(crafted, []);
    expect(found).toEqual([]);
    expect(missing).toEqual(crafted);
    expect(requestsTo('GET', /\/query$/).map((r) => r.status)).toEqual([200]);
  });

  it('refuses a property name that is not a field name, without querying', async () => {
    const error = await crmOf()
      .readPeople(['member0@example.com'], ['Email FROM User --'])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', retryable: false });
    expect(requestsTo('GET', /\/query$/)).toEqual([]);
  });

  it('follows nextRecordsUrl when the answer comes in pages', async () => {
    const org = await startSalesforceSandbox({ queryPageSize: 2 });
    try {
      const crm = crmOf(connector({}, org));
      const batch = people(5);
      await crm.upsertPeople(batch);
      const { found, missing } = await crm.readPeople(
        batch.map((p) => p.email!),
        ['townhall_member_id'],
      );
      expect(found.map((p) => p.properties.townhall_member_id).sort()).toEqual(
        batch.map((p) => p.memberId).sort(),
      );
      expect(missing).toEqual([]);
      const queries = org.emulators.salesforce.requests().filter((r) => r.path.includes('/query'));
      expect(queries).toHaveLength(3);
    } finally {
      await org.stop();
    }
  });
});

describe('deletePerson', () => {
  it('deletes every record with the email; a second time there is nothing to delete', async () => {
    const crm = crmOf();
    await crm.upsertPeople([
      ...people(2),
      { memberId: 'm-dup', email: 'MEMBER0@example.com', name: 'Same Address', properties: {} },
    ]);
    expect(await crm.deletePerson('member0@example.com')).toEqual({ deleted: true });
    expect([...records().keys()]).toEqual(['m-1']);
    expect(requestsTo('DELETE', /\/sobjects\/Contact\/003\w+$/).map((r) => r.status)).toEqual([
      204, 204,
    ]);
    expect(sandbox.emulators.salesforce.list().filter((r) => r.IsDeleted)).toHaveLength(2);

    expect(await crm.deletePerson('member0@example.com')).toEqual({ deleted: false });
    expect(await crm.deletePerson('never-here@example.com')).toEqual({ deleted: false });
  });

  it('a record deleted meanwhile (404 ENTITY_IS_DELETED) counts as gone', async () => {
    const client = connector();
    await crmOf(client).upsertPeople(people(1));
    const id = String(records().get('m-0')!.Id);
    expect(await client.deleteRecord(id)).toEqual({ deleted: true });
    expect(await client.deleteRecord(id)).toEqual({ deleted: false });
    expect(requestsTo('DELETE', /\/sobjects\/Contact\//).map((r) => r.status)).toEqual([204, 404]);
  });
});
