import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { CommunityProperty } from '../ports.js';

/** Where townhall's community properties go on the record, by default (custom fields). */
export const DEFAULT_FIELDS: Readonly<Record<CommunityProperty, string>> = {
  townhall_member_id: 'Townhall_Member_Id__c',
  community_platforms: 'Community_Platforms__c',
  community_first_seen: 'Community_First_Seen__c',
  community_last_active: 'Community_Last_Active__c',
  community_activity_30d: 'Community_Activity_30d__c',
  community_engagement_level: 'Community_Engagement_Level__c',
  community_milestones: 'Community_Milestones__c',
};

/**
 * How an admin creates each community field (Setup > Object Manager > the object > Fields &
 * Relationships > New): Salesforce custom fields are an admin's to create, townhall only checks.
 */
export const FIELD_SETUP: Readonly<Record<CommunityProperty, string>> = {
  townhall_member_id: 'Text(64), External ID, Unique',
  community_platforms: 'Text(255)',
  community_first_seen: 'Date/Time',
  community_last_active: 'Date/Time',
  community_activity_30d: 'Number(18, 0)',
  community_engagement_level: 'Text(40)',
  community_milestones: 'Long Text Area(32768)',
};

const apiName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*$/,
    'expected a field API name, e.g. Community_Platforms__c (Setup > Object Manager shows it)',
  );

/** A PEM private key Node can read; the message never quotes the key. */
function isPrivateKey(pem: string): boolean {
  try {
    return createPrivateKey(pem).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}

/** PEM keys kept in one-line environment variables often carry `\n` for their line breaks. */
const pem = z.string().transform((text) => text.replace(/\\n/g, '\n'));

/**
 * `connectors.salesforce`: one org, reached with a connected app (or external client app) either
 * through the OAuth 2.0 client credentials flow (clientSecret) or the JWT bearer flow (username
 * and privateKey).
 */
export const salesforceConfigSchema = z
  .strictObject({
    loginUrl: z
      .url()
      .describe(
        "Your org's My Domain login URL, e.g. https://acme.my.salesforce.com (the client credentials flow only works there)",
      ),
    clientId: z
      .string()
      .min(1)
      .describe('Consumer key of the connected app (Setup > App Manager > the app > View)'),
    clientSecret: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Consumer secret: selects the OAuth 2.0 client credentials flow (enable it on the app and set its Run As user); keep it in the environment',
      ),
    username: z
      .string()
      .min(1)
      .optional()
      .describe('The Salesforce user the JWT bearer flow acts as (pre-authorized for the app)'),
    privateKey: pem
      .refine(isPrivateKey, 'expected an RSA private key in PEM form (-----BEGIN PRIVATE KEY-----)')
      .optional()
      .describe(
        'PEM private key of the certificate uploaded to the connected app: selects the JWT bearer flow with username; keep it in the environment (\\n line breaks are accepted)',
      ),
    audience: z
      .url()
      .optional()
      .describe(
        'The JWT aud claim; defaults to https://login.salesforce.com (https://test.salesforce.com for sandbox orgs)',
      ),
    apiVersion: z
      .string()
      .regex(/^\d{2}\.0$/, 'expected an API version such as 62.0')
      .default('62.0')
      .describe('REST API version (46.0 or later: sObject Collections upsert)'),
    object: apiName.default('Contact').describe('The object members are kept as'),
    externalIdField: apiName
      .default('Townhall_Member_Id__c')
      .describe("The External ID field holding townhall's member id; upserts match on it"),
    fields: z
      .record(z.string().min(1), apiName)
      .default({})
      .transform((given): Record<string, string> => ({ ...DEFAULT_FIELDS, ...given }))
      .describe(
        "Field API names by townhall's property names; the community_* and townhall_member_id defaults are Community_Platforms__c ... Townhall_Member_Id__c; any other property is written to the field of its own name",
      ),
    bulkThreshold: z
      .number()
      .int()
      .min(1)
      .default(2000)
      .describe(
        'From this many people on, a backfill uses one Bulk API 2.0 job instead of batches',
      ),
    dailyApiShare: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "Share of the org's daily API allocation townhall may bring its usage to (Sforce-Limit-Info): above it calls are refused before they are sent, leaving the rest to the org's other integrations; 0.9 when unset",
      ),
  })
  .superRefine((config, ctx) => {
    const jwt = config.username !== undefined || config.privateKey !== undefined;
    const fix =
      'set clientSecret (OAuth 2.0 client credentials flow) or username and privateKey (JWT bearer flow)';
    if (config.clientSecret !== undefined && jwt) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientSecret'],
        message: `choose one way to sign in: ${fix}, not both`,
      });
    } else if (config.clientSecret === undefined && !jwt) {
      ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: `required: ${fix}` });
    } else if (jwt && config.username === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'the JWT bearer flow needs the username it signs in as, besides privateKey',
      });
    } else if (jwt && config.privateKey === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['privateKey'],
        message:
          'the JWT bearer flow needs the PEM private key of the certificate uploaded to the connected app, besides username',
      });
    }
  });
export type SalesforceConfig = z.output<typeof salesforceConfigSchema>;
/** What callers may pass: every setting with a default can be left out. */
export type SalesforceConfigInput = z.input<typeof salesforceConfigSchema>;

/** The share of the daily API allocation used when the config sets none. */
export const DEFAULT_DAILY_API_SHARE = 0.9;

/** How townhall signs in, from the config. */
export type SalesforceAuth =
  | { flow: 'client_credentials'; clientId: string; clientSecret: string }
  | {
      flow: 'jwt_bearer';
      clientId: string;
      username: string;
      privateKey: string;
      audience: string;
    };

/**
 * The JWT's audience: Salesforce's documented values are https://login.salesforce.com for
 * production orgs and https://test.salesforce.com for sandboxes; any other host (an Experience
 * Cloud site, the sandbox emulator) is its own audience. `audience` in the config overrides.
 */
export function jwtAudience(config: Pick<SalesforceConfig, 'loginUrl' | 'audience'>): string {
  if (config.audience) return config.audience.replace(/\/+$/, '');
  const url = new URL(config.loginUrl);
  const host = url.hostname.toLowerCase();
  if (host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com'))
    return 'https://test.salesforce.com';
  if (host === 'login.salesforce.com' || host.endsWith('.salesforce.com'))
    return 'https://login.salesforce.com';
  return url.origin;
}

export function authOf(config: SalesforceConfig): SalesforceAuth {
  if (config.clientSecret !== undefined)
    return {
      flow: 'client_credentials',
      clientId: config.clientId,
      clientSecret: config.clientSecret,
    };
  if (config.username === undefined || config.privateKey === undefined)
    throw new Error('connectors.salesforce needs clientSecret, or username and privateKey');
  return {
    flow: 'jwt_bearer',
    clientId: config.clientId,
    username: config.username,
    privateKey: config.privateKey,
    audience: jwtAudience(config),
  };
}
