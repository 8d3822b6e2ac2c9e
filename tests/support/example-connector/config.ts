import { z } from 'zod';

/** `connectors.example`: a made-up vendor that signs its webhooks with a shared secret. */
export const exampleConfigSchema = z.strictObject({
  secret: z.string().min(8, 'use at least 8 characters').describe('Signs the example webhooks'),
  apiUrl: z.url().optional().describe('Where the example API is'),
});
export type ExampleConfig = z.output<typeof exampleConfigSchema>;
