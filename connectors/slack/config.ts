import { z } from 'zod';

/** `connectors.slack`: one Slack app in one workspace. */
export const slackConfigSchema = z.strictObject({
  signingSecret: z.string().min(1).describe('Slack app signing secret (Basic Information page)'),
  botToken: z
    .string()
    .min(1)
    .optional()
    .describe('Bot user OAuth token (xoxb-...), for posting and lookups'),
  apiUrl: z.url().optional().describe('Web API base URL; defaults to https://slack.com/api/'),
});
export type SlackConfig = z.output<typeof slackConfigSchema>;
