import type { Config } from '../config/schema.js';
import { SANDBOX_DISCORD_SIGNING_SEED } from '../sandbox/discord-interactions.js';
import type { SandboxOptions } from '../sandbox/index.js';

/**
 * The emulators set up to accept exactly the credentials the config holds, so a config pointed
 * at the sandbox (config/examples/sandbox.yaml) works against it unchanged. Used by `townhall
 * start` and `townhall sandbox`.
 */
export function sandboxOptions(config: Config): SandboxOptions {
  return {
    port: config.sandbox?.port ?? 4010,
    smtpPort: config.sandbox?.smtpPort ?? 2525,
    ...(config.connectors.email?.smtp.user
      ? {
          smtpUser: config.connectors.email.smtp.user,
          smtpPass: config.connectors.email.smtp.pass ?? '',
        }
      : {}),
    hubspotAccessToken: config.connectors.hubspot?.accessToken ?? 'sandbox-hubspot-token',
    slackSigningSecret: config.connectors.slack?.signingSecret ?? 'sandbox-slack-signing-secret',
    ...(config.connectors.slack?.botToken
      ? { slackBotToken: config.connectors.slack.botToken }
      : {}),
    ...(config.connectors.discord
      ? {
          discordBotToken: config.connectors.discord.botToken,
          // Its public key is the one config/examples/sandbox.yaml names.
          discord: { signingSeed: SANDBOX_DISCORD_SIGNING_SEED },
        }
      : {}),
    ...(config.connectors.hubspot?.clientSecret
      ? { hubspotClientSecret: config.connectors.hubspot.clientSecret }
      : {}),
    ...(config.connectors.zendesk
      ? {
          zendeskEmail: config.connectors.zendesk.email,
          zendeskApiToken: config.connectors.zendesk.apiToken,
          zendeskWebhookSecret: config.connectors.zendesk.webhookSecret,
        }
      : {}),
    ...(config.connectors.intercom
      ? {
          intercomAccessToken: config.connectors.intercom.accessToken,
          intercomClientSecret: config.connectors.intercom.clientSecret,
        }
      : {}),
    ...(config.connectors.discourse
      ? {
          discourseApiKey: config.connectors.discourse.apiKey,
          discourseWebhookSecret: config.connectors.discourse.webhookSecret,
        }
      : {}),
  };
}
