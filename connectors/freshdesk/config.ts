import { z } from 'zod';

/** A custom ticket field's API name: Freshdesk prefixes custom fields with `cf_`. */
const CUSTOM_FIELD = /^cf_[a-z0-9_]+$/;

/** `connectors.freshdesk`: one Freshdesk account, reached with one agent's API key. */
export const freshdeskConfigSchema = z
  .strictObject({
    domain: z
      .string()
      .regex(
        /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i,
        'expected the helpdesk host alone, e.g. acme.freshdesk.com',
      )
      .optional()
      .describe('Your helpdesk host, e.g. acme.freshdesk.com (or your portal domain)'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'Where the API is reached instead of https://<domain> (a proxy, the sandbox); /api/v2 is added',
      ),
    apiKey: z
      .string()
      .min(1)
      .describe(
        'API key of the agent townhall works as (Profile settings > View API key); keep it in the environment',
      ),
    webhookSecret: z
      .string()
      .min(1)
      .describe(
        'Shared secret the automation rules send in the X-Townhall-Secret header (Freshdesk signs nothing)',
      ),
    externalIdField: z
      .string()
      .regex(
        CUSTOM_FIELD,
        'expected the API name of a custom ticket field, e.g. cf_townhall_external_id',
      )
      .default('cf_townhall_external_id')
      .describe(
        'Custom ticket field (single-line text, Admin > Ticket fields) holding townhall’s id of the ticket; makes creation idempotent',
      ),
    tags: z
      .array(z.string().min(1))
      .default([])
      .describe('Tags on every ticket townhall creates, e.g. [community]'),
  })
  .refine((freshdesk) => freshdesk.domain !== undefined || freshdesk.baseUrl !== undefined, {
    path: ['domain'],
    message: 'set domain (acme.freshdesk.com) or baseUrl',
  });
export type FreshdeskConfig = z.output<typeof freshdeskConfigSchema>;

/** Where the API lives: `https://<domain>/api/v2`, or `<baseUrl>/api/v2`. */
export function apiUrl(config: Pick<FreshdeskConfig, 'domain' | 'baseUrl'>): string {
  if (config.baseUrl) return `${config.baseUrl.replace(/\/+$/, '')}/api/v2`;
  if (config.domain) return `https://${config.domain}/api/v2`;
  throw new Error('connectors.freshdesk needs a domain or a baseUrl');
}

/**
 * The requester's page of a ticket on the support portal. The portal is the domain's even when
 * the API goes through baseUrl (a proxy); with baseUrl alone (the sandbox) it is baseUrl's.
 */
export function portalUrl(config: Pick<FreshdeskConfig, 'domain' | 'baseUrl'>, id: number): string {
  const base = config.domain
    ? `https://${config.domain}`
    : (config.baseUrl ?? '').replace(/\/+$/, '');
  return `${base}/support/tickets/${id}`;
}
