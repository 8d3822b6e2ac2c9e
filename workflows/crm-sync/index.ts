import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { defineWorkflow } from '../descriptor.js';
import { crmSyncWorkflowId } from './types.js';
import { crmSync } from './workflow.js';

export const crmSyncConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  crms: z
    .array(z.string().min(1))
    .min(1, 'name at least one CRM connector, or leave crms out for the one providers.crm chooses')
    .refine((crms) => new Set(crms).size === crms.length, 'a CRM is listed twice: list each once')
    .optional()
    .describe('The CRM connectors to keep in sync; unset: the one providers.crm chooses'),
  interval: duration.prefault('5m').describe('How often changed members are pushed, e.g. 5m'),
  batchSize: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Members per CRM request; default and most: what the CRM takes in one request'),
  properties: z
    .record(z.string(), z.string())
    .default({})
    .describe('Fixed values every CRM record gets besides the community properties'),
});
export type CrmSyncConfig = z.output<typeof crmSyncConfigSchema>;

/** `workflows.crmSync`: members' community activity, kept current in the CRM on a schedule. */
export const crmSyncWorkflow = defineWorkflow({
  name: 'crmSync',
  workflow: crmSync,
  config: crmSyncConfigSchema,
  requires: (config) =>
    !config.enabled
      ? []
      : config.crms
        ? config.crms.map((connector, index) => ({
            path: ['crms', index],
            capability: 'crm',
            connector,
          }))
        : // The CRM providers.crm chooses: there must be one, and a choice among several.
          [{ path: [], capability: 'crm' }],
  schedules: (config, { routing, providers }) => {
    if (!config.enabled) return [];
    const crms =
      config.crms ??
      (routing.providers?.crm ? [routing.providers.crm] : providers('crm').slice(0, 1));
    return crms.map((crm) => ({
      id: crmSyncWorkflowId(crm),
      everyMs: config.interval,
      workflow: crmSync,
      workflowId: crmSyncWorkflowId(crm),
      args: [{ crm, batchSize: config.batchSize, routing }],
    }));
  },
});
