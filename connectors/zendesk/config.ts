import { z } from 'zod';

/** Zendesk's ticket priorities, lowest first. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** `connectors.zendesk`: one Zendesk account, reached through API token auth as one agent. */
export const zendeskConfigSchema = z
  .strictObject({
    subdomain: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]*$/i,
        'expected the subdomain alone, e.g. acme for acme.zendesk.com',
      )
      .optional()
      .describe('Your account: acme for https://acme.zendesk.com'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'Account URL, e.g. https://support.example.com (a host mapping) or the sandbox; overrides subdomain',
      ),
    email: z
      .email()
      .describe("Email of the agent townhall works as; the API token must be that agent's"),
    apiToken: z
      .string()
      .min(1)
      .describe(
        'API token (Admin Center > Apps and integrations > Zendesk API); keep it in the environment',
      ),
    webhookSecret: z
      .string()
      .min(1)
      .describe('Signing secret of the webhook that sends ticket events (Admin Center > Webhooks)'),
    ticketDefaults: z
      .strictObject({
        tags: z
          .array(z.string().min(1))
          .default([])
          .describe('Tags on every ticket townhall creates, e.g. [community]'),
        priority: z
          .enum(TICKET_PRIORITIES)
          .optional()
          .describe("Priority of tickets townhall creates; unset leaves Zendesk's default"),
      })
      .prefault({})
      .describe('Defaults for the tickets townhall creates'),
  })
  .refine((zendesk) => zendesk.subdomain !== undefined || zendesk.baseUrl !== undefined, {
    path: ['subdomain'],
    message: 'set subdomain (acme for acme.zendesk.com) or baseUrl',
  });
export type ZendeskConfig = z.output<typeof zendeskConfigSchema>;

/** `https://<subdomain>.zendesk.com`, or `baseUrl` (a proxy, the sandbox) when it is set. */
export function accountUrl(config: Pick<ZendeskConfig, 'subdomain' | 'baseUrl'>): string {
  if (config.baseUrl) return config.baseUrl.replace(/\/+$/, '');
  if (config.subdomain) return `https://${config.subdomain}.zendesk.com`;
  throw new Error('connectors.zendesk needs a subdomain or a baseUrl');
}
