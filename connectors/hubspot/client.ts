import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { ActionSpec } from '../types.js';
import { hubspotError } from './errors.js';

export const hubspotConfigSchema = z.object({
  accessToken: z.string().min(1),
  baseUrl: z.url().optional(),
});
export type HubSpotConfig = z.infer<typeof hubspotConfigSchema>;

export interface ContactUpsert {
  email: string;
  properties: Record<string, string>;
}

export interface HubSpotConnector {
  /** Creates or updates the contact keyed by email: safe to repeat. */
  upsertContact(input: ContactUpsert): Promise<{ contactId: string; created: boolean }>;
}

export const hubspotActions = {
  upsertContact: { idempotent: true },
} as const satisfies Record<keyof HubSpotConnector, ActionSpec>;

export function createHubSpotConnector(config: HubSpotConfig): HubSpotConnector {
  const client = new Client({
    accessToken: config.accessToken,
    ...(config.baseUrl ? { basePath: config.baseUrl.replace(/\/$/, '') } : {}),
    // Temporal owns retries (with the server's Retry-After), so the SDK must not retry on its own.
    numberOfApiCallRetries: 0,
  });

  return {
    async upsertContact({ email, properties }) {
      try {
        // Batch upsert keyed by email is HubSpot's one idempotent create-or-update.
        const response = await client.crm.contacts.batchApi.upsert({
          inputs: [{ idProperty: 'email', id: email, properties: { ...properties, email } }],
        });
        const contact = response.results[0];
        if (!contact) throw Object.assign(new Error('empty batch response'), { code: 502 });
        return { contactId: contact.id, created: contact._new };
      } catch (error) {
        throw hubspotError(error, 'contact upsert');
      }
    },
  };
}
