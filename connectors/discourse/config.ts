import { z } from 'zod';

/** `connectors.discourse`: one forum per townhall. */
export const discourseConfigSchema = z.strictObject({
  baseUrl: z.url().describe('The forum, e.g. https://forum.example.com'),
  apiKey: z.string().min(1).describe('Admin API key (Admin > API)'),
  apiUsername: z.string().min(1).default('system').describe('User the API key acts as'),
  webhookSecret: z
    .string()
    .min(1)
    .describe('Secret set on the Discourse webhook (Admin > Webhooks)'),
});
export type DiscourseConfig = z.output<typeof discourseConfigSchema>;
