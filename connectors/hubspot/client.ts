import type { BudgetFactory } from '../budget.js';
import { ConnectorError } from '../errors.js';
import type { HubSpotConfigInput } from './config.js';
import { hubspotConfigSchema } from './config.js';
import type { ContactUpsert } from './contacts.js';
import { contactActions } from './contacts.js';
import { propertyActions } from './properties.js';
import { callerFor, hubspotClient } from './sdk.js';

export { hubspotConfigSchema } from './config.js';
export type { HubSpotConfig, HubSpotConfigInput } from './config.js';
export type {
  Contact,
  ContactPage,
  ContactSearch,
  ContactUpsert,
  KeyedUpsert,
  KeyedUpsertResult,
  SearchFilter,
  UpsertResult,
} from './contacts.js';
export type { PropertySetup } from './properties.js';

type Actions = ReturnType<typeof contactActions> & ReturnType<typeof propertyActions>;

export interface HubSpotConnector extends Actions {
  /** Creates or updates the contact keyed by email: safe to repeat. */
  upsertContact(input: ContactUpsert): Promise<{ contactId: string; created: boolean }>;
}

export function createHubSpotConnector(
  input: HubSpotConfigInput,
  budgets?: BudgetFactory,
): HubSpotConnector {
  const config = hubspotConfigSchema.parse(input);
  const client = hubspotClient(config);
  const call = callerFor(config, budgets?.('hubspot', config.requestLimit));
  const contacts = contactActions(client, call);

  return {
    ...contacts,
    ...propertyActions(client, call, config),

    async upsertContact({ email, properties }) {
      // Batch upsert keyed by email is HubSpot's one idempotent create-or-update.
      const { upserted, failed } = await contacts.upsertContacts([{ email, properties }]);
      const contact = upserted[0];
      if (contact) return { contactId: contact.contactId, created: contact.created };
      // Category and code only: HubSpot's message may quote the address, which is personal data.
      const why = failed[0]?.category
        ? [failed[0].category, failed[0].code].filter(Boolean).join(' ')
        : 'no result returned';
      throw new ConnectorError('invalid', `HubSpot contact upsert failed: ${why}`, {
        vendor: 'hubspot',
        status: 207,
      });
    },
  };
}
