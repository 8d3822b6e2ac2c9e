import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { jwtAudience, salesforceConfigSchema } from '../../connectors/salesforce/config.js';

/** `connectors.salesforce`: defaults, the two ways to sign in, and what a bad section says. */

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const base = { loginUrl: 'https://acme.my.salesforce.com', clientId: 'key' };

const issues = (input: unknown) => {
  const result = salesforceConfigSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('salesforce config', () => {
  it('fills the defaults and merges configured field names over them', () => {
    const config = salesforceConfigSchema.parse({
      ...base,
      clientSecret: 'secret',
      fields: { community_platforms: 'Platforms__c', lifecyclestage: 'Lifecycle_Stage__c' },
    });
    expect(config).toMatchObject({
      apiVersion: '62.0',
      object: 'Contact',
      externalIdField: 'Townhall_Member_Id__c',
      bulkThreshold: 2000,
    });
    expect(config.dailyApiShare).toBeUndefined();
    expect(config.fields).toEqual({
      townhall_member_id: 'Townhall_Member_Id__c',
      community_platforms: 'Platforms__c',
      community_first_seen: 'Community_First_Seen__c',
      community_last_active: 'Community_Last_Active__c',
      community_activity_30d: 'Community_Activity_30d__c',
      community_engagement_level: 'Community_Engagement_Level__c',
      community_milestones: 'Community_Milestones__c',
      lifecyclestage: 'Lifecycle_Stage__c',
    });
  });

  it('needs exactly one way to sign in, and says which settings make each', () => {
    expect(issues(base)).toEqual([
      'clientSecret: required: set clientSecret (OAuth 2.0 client credentials flow) or username and privateKey (JWT bearer flow)',
    ]);
    expect(issues({ ...base, clientSecret: 's', username: 'u', privateKey })).toEqual([
      expect.stringMatching(/^clientSecret: choose one way to sign in: .* not both$/),
    ]);
    expect(issues({ ...base, username: 'u' })).toEqual([
      expect.stringMatching(/^privateKey: the JWT bearer flow needs the PEM private key/),
    ]);
    expect(issues({ ...base, privateKey })).toEqual([
      expect.stringMatching(/^username: the JWT bearer flow needs the username/),
    ]);
    expect(issues({ ...base, username: 'u', privateKey })).toEqual([]);
  });

  it('accepts a PEM key with \\n for its line breaks; refuses a broken one without quoting it', () => {
    const oneLine = privateKey.replace(/\n/g, '\\n');
    const parsed = salesforceConfigSchema.parse({ ...base, username: 'u', privateKey: oneLine });
    expect(parsed.privateKey).toBe(privateKey);
    const problems = issues({ ...base, username: 'u', privateKey: 'not-a-key-s3cr3t' });
    expect(problems).toEqual([expect.stringMatching(/^privateKey: expected an RSA private key/)]);
    expect(problems.join()).not.toContain('s3cr3t');
  });

  it('reports a bad section by its path through the config loader', () => {
    const text = `
connectors:
  salesforce: { loginUrl: 'https://acme.my.salesforce.com', clientId: key, bulkThreshold: 0 }
workflows:
  onboarding:
    steps:
      - wait: 1h
`;
    let problems: string[] = [];
    try {
      parseConfig(text, 'test.yaml', {});
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual([
      expect.stringMatching(/^connectors\.salesforce\.bulkThreshold: /),
      expect.stringMatching(/^connectors\.salesforce\.clientSecret: required: set clientSecret/),
    ]);
  });

  it('the JWT audience: login for production, test for sandboxes, else the login URL itself', () => {
    const aud = (loginUrl: string, audience?: string) => jwtAudience({ loginUrl, audience });
    expect(aud('https://acme.my.salesforce.com')).toBe('https://login.salesforce.com');
    expect(aud('https://acme--uat.sandbox.my.salesforce.com')).toBe('https://test.salesforce.com');
    expect(aud('https://test.salesforce.com/')).toBe('https://test.salesforce.com');
    expect(aud('http://127.0.0.1:4010')).toBe('http://127.0.0.1:4010');
    expect(aud('https://acme.my.salesforce.com', 'https://acme.my.site.com/customers/')).toBe(
      'https://acme.my.site.com/customers',
    );
  });
});
