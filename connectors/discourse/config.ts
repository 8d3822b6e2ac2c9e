import { z } from 'zod';

/** Mirrors `connectors.discourse` in config/schema.ts: one forum per townhall. */
export const discourseConfigSchema = z.object({
  baseUrl: z.url(),
  apiKey: z.string().min(1),
  apiUsername: z.string().min(1).default('system'),
  webhookSecret: z.string().min(1),
});
export type DiscourseConfig = z.output<typeof discourseConfigSchema>;
