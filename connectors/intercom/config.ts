import { z } from 'zod';
import { numericId } from '../config-fields.js';

/** `connectors.intercom`: one Intercom workspace per townhall. */
export const intercomConfigSchema = z
  .strictObject({
    accessToken: z
      .string()
      .min(1)
      .describe('Access token of your Intercom app (Developer Hub > your app > Authentication)'),
    clientSecret: z
      .string()
      .min(1)
      .describe('Client secret of the app (Basic information); signs its webhooks'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'API base URL; defaults to https://api.intercom.io (EU: https://api.eu.intercom.io, AU: https://api.au.intercom.io)',
      ),
    create: z
      .enum(['ticket', 'conversation'])
      .default('ticket')
      .describe('What a community thread becomes: a ticket of ticketTypeId, or a conversation'),
    ticketTypeId: numericId
      .optional()
      .describe('Ticket type for new tickets (GET /ticket_types lists them); needed for tickets'),
    adminId: numericId.describe('The teammate townhall replies as (GET /admins lists them)'),
  })
  .refine((intercom) => intercom.create !== 'ticket' || intercom.ticketTypeId !== undefined, {
    path: ['ticketTypeId'],
    message: 'needed when create is "ticket" (GET /ticket_types lists the ids)',
  });
export type IntercomConfig = z.output<typeof intercomConfigSchema>;

/** The REST API version townhall speaks (intercom-client 7's default, and the sandbox's). */
export const INTERCOM_VERSION = '2.14';
