import { z } from 'zod';

/** Zendesk's ticket priorities, lowest first. */
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/**
 * Mirrors `connectors.zendesk` in config/schema.ts (which carries the editor hints): one Zendesk
 * account per townhall, reached through API token auth as one agent.
 */
export const zendeskConfigSchema = z.object({
  subdomain: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
  email: z.string().min(1),
  apiToken: z.string().min(1),
  webhookSecret: z.string().min(1),
  ticketDefaults: z
    .object({
      tags: z.array(z.string().min(1)).default([]),
      priority: z.enum(TICKET_PRIORITIES).optional(),
    })
    .prefault({}),
});
export type ZendeskConfig = z.output<typeof zendeskConfigSchema>;

/** `https://<subdomain>.zendesk.com`, or `baseUrl` (a proxy, the sandbox) when it is set. */
export function accountUrl(config: Pick<ZendeskConfig, 'subdomain' | 'baseUrl'>): string {
  if (config.baseUrl) return config.baseUrl.replace(/\/+$/, '');
  if (config.subdomain) return `https://${config.subdomain}.zendesk.com`;
  throw new Error('connectors.zendesk needs a subdomain or a baseUrl');
}
