import { z } from 'zod';

/** YAML may turn a numeric id (`adminId: 991267900`) into a number; Intercom ids are strings. */
const id = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

/** Mirrors `connectors.intercom` in config/schema.ts: one Intercom workspace per townhall. */
export const intercomConfigSchema = z
  .object({
    accessToken: z.string().min(1),
    clientSecret: z.string().min(1),
    baseUrl: z.url().optional(),
    create: z.enum(['ticket', 'conversation']).default('ticket'),
    ticketTypeId: id.optional(),
    adminId: id,
  })
  .refine((config) => config.create !== 'ticket' || config.ticketTypeId !== undefined, {
    message: 'ticketTypeId is required when create is "ticket"',
    path: ['ticketTypeId'],
  });
export type IntercomConfig = z.output<typeof intercomConfigSchema>;

/** The REST API version townhall speaks (intercom-client 7's default, and the sandbox's). */
export const INTERCOM_VERSION = '2.14';
