import { defineStep } from './step.js';

export interface CrmUpsertContactStep {
  type: 'crm.upsert_contact';
  properties: Record<string, string>;
}

/** `- crm.upsert_contact: { properties }`: the member's CRM record, created or updated by email. */
export const crmUpsertContact = defineStep({
  type: 'crm.upsert_contact',
  needs: 'crm',
  schema: ({ z }) =>
    z
      .strictObject({
        properties: z
          .record(z.string(), z.string())
          .default({})
          .describe('Extra contact properties to set'),
      })
      .nullish(),
  parse: (value): CrmUpsertContactStep => ({
    type: 'crm.upsert_contact',
    properties: value?.properties ?? {},
  }),
  run: (step, { memberId, routing, activities }) =>
    activities(routing.providers?.crm).upsertCrmContact({
      memberId,
      properties: step.properties,
    }),
});
