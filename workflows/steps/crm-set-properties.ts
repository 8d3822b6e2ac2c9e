import { crmUpsertContact } from './crm-upsert-contact.js';
import { defineStep } from './step.js';

export interface CrmSetPropertiesStep {
  type: 'crm.set_properties';
  properties: Record<string, string>;
}

/**
 * `- crm.set_properties: { lifecycle: lapsed }`: writes these properties on the member's CRM
 * record (created where missing, as every CRM write is an upsert by member id and email).
 */
export const crmSetProperties = defineStep({
  type: 'crm.set_properties',
  needs: 'crm',
  schema: ({ z }) =>
    z
      .record(z.string().min(1), z.string())
      .refine((properties) => Object.keys(properties).length > 0, {
        message: 'name at least one property, e.g. { lifecycle: lapsed }',
      })
      .describe('Properties to set, by the CRM field name'),
  parse: (properties): CrmSetPropertiesStep => ({ type: 'crm.set_properties', properties }),
  // The same write as crm.upsert_contact: every CRM write is an upsert with properties.
  run: (step, context) =>
    crmUpsertContact.run({ type: 'crm.upsert_contact', properties: step.properties }, context),
});
