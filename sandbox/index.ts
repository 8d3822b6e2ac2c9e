import type { Server } from 'node:http';
import express from 'express';
import type { DiscordSandboxTuning } from './discord.js';
import { DEFAULT_DISCORD_BOT_TOKEN, createDiscordSandbox } from './discord.js';
import { createDiscourseSandbox } from './discourse.js';
import { createFaults, faultSchema } from './faults.js';
import type { Faults } from './faults.js';
import type { HubSpotLimitsInput } from './hubspot.js';
import { createHubSpotSandbox } from './hubspot.js';
import { createIntercomSandbox } from './intercom.js';
import { createSlackSandbox } from './slack.js';
import { createSlackWebSandbox } from './slack-web.js';
import { createSmtpSink } from './smtp.js';
import { createZendeskSandbox } from './zendesk.js';

export interface SandboxOptions {
  port: number;
  smtpPort: number;
  /** The login the SMTP sink accepts; sandbox defaults when absent. */
  smtpUser?: string;
  smtpPass?: string;
  hubspotAccessToken: string;
  /** The HubSpot app's client secret: set, contact changes go to townhall as v3-signed webhooks. */
  hubspotClientSecret?: string;
  /** HubSpot burst and daily limits; 100 per 10 s and 250,000 a day when absent. */
  hubspotLimits?: HubSpotLimitsInput;
  slackSigningSecret: string;
  /** The bot token the Slack Web API emulator accepts; 'xoxb-sandbox-bot-token' when absent. */
  slackBotToken?: string;
  /** Waits before the Slack emitter's retries 1..3; 0.5 s, 1 s, 2 s when absent. */
  slackRetryDelaysMs?: readonly number[];
  /** Discourse admin API key and webhook secret; sandbox defaults when absent. */
  discourseApiKey?: string;
  discourseWebhookSecret?: string;
  /** The Intercom access token accepted and the client secret that signs its webhooks. */
  intercomAccessToken?: string;
  intercomClientSecret?: string;
  /** The bot token the Discord emulator accepts; 'sandbox-discord-bot-token' when absent. */
  discordBotToken?: string;
  /** Discord emulator timings (heartbeat, nonce window, rate limits) and a fixed signing key. */
  discord?: Partial<DiscordSandboxTuning>;
  /** The Zendesk API user, its API token and the webhook signing secret; sandbox defaults when absent. */
  zendeskEmail?: string;
  zendeskApiToken?: string;
  zendeskWebhookSecret?: string;
  /** How long the Zendesk emulator remembers an Idempotency-Key; two hours when absent. */
  zendeskIdempotencyTtlMs?: number;
  /** townhall's base URL, for the Slack emitter; can be set after start with setTownhallUrl. */
  townhallUrl?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  smtpPort: number;
  setTownhallUrl(url: string): void;
  hubspot: ReturnType<typeof createHubSpotSandbox>;
  slack: ReturnType<typeof createSlackWebSandbox>;
  /** publicKey (for connectors.discord.publicKey), botToken, applicationId, guildId, ids. */
  discord: ReturnType<typeof createDiscordSandbox>;
  faults: Faults;
  smtp: ReturnType<typeof createSmtpSink>;
  stop(): Promise<void>;
}

/** Every vendor emulator on one HTTP port, the SMTP sink on its own, and /_sandbox inspection. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  let townhallUrl = options.townhallUrl;
  const faults = createFaults();
  const hubspot = createHubSpotSandbox({
    accessToken: options.hubspotAccessToken,
    faults,
    ...(options.hubspotLimits ? { limits: options.hubspotLimits } : {}),
    ...(options.hubspotClientSecret ? { clientSecret: options.hubspotClientSecret } : {}),
    townhallUrl: () => townhallUrl,
  });
  const slackWeb = createSlackWebSandbox({
    botToken: options.slackBotToken ?? 'xoxb-sandbox-bot-token',
    faults,
  });
  const slack = createSlackSandbox({
    signingSecret: options.slackSigningSecret,
    townhallUrl: () => townhallUrl,
    workspace: slackWeb.workspace,
    ...(options.slackRetryDelaysMs ? { retryDelaysMs: options.slackRetryDelaysMs } : {}),
  });
  const discourse = createDiscourseSandbox({
    apiKey: options.discourseApiKey ?? 'sandbox-discourse-api-key',
    webhookSecret: options.discourseWebhookSecret ?? 'sandbox-discourse-webhook-secret',
    faults,
    townhallUrl: () => townhallUrl,
  });
  const intercom = createIntercomSandbox({
    accessToken: options.intercomAccessToken ?? 'sandbox-intercom-access-token',
    clientSecret: options.intercomClientSecret ?? 'sandbox-intercom-client-secret',
    faults,
    townhallUrl: () => townhallUrl,
  });
  const discord = createDiscordSandbox({
    ...options.discord,
    botToken: options.discordBotToken ?? DEFAULT_DISCORD_BOT_TOKEN,
    faults,
    townhallUrl: () => townhallUrl,
  });
  const zendesk = createZendeskSandbox({
    email: options.zendeskEmail ?? 'townhall@sandbox.zendesk.test',
    apiToken: options.zendeskApiToken ?? 'sandbox-zendesk-api-token',
    webhookSecret: options.zendeskWebhookSecret ?? 'sandbox-zendesk-webhook-secret',
    faults,
    townhallUrl: () => townhallUrl,
    ...(options.zendeskIdempotencyTtlMs !== undefined
      ? { idempotencyTtlMs: options.zendeskIdempotencyTtlMs }
      : {}),
  });
  const smtp = createSmtpSink({
    user: options.smtpUser ?? 'sandbox',
    pass: options.smtpPass ?? 'sandbox-smtp-password',
  });

  const app = express();
  app.disable('x-powered-by');
  app.get('/_sandbox/mail', (_req, res) => {
    res.json(smtp.list());
  });
  app.get('/_sandbox/hubspot/contacts', (_req, res) => {
    res.json(hubspot.list());
  });
  app.post('/_sandbox/reset', (_req, res) => {
    hubspot.reset();
    slackWeb.reset();
    discourse.reset();
    intercom.reset();
    zendesk.reset();
    discord.reset();
    smtp.reset();
    faults.reset();
    res.json({ ok: true });
  });
  app.get('/_sandbox/faults', (_req, res) => {
    res.json(faults.list());
  });
  app.post('/_sandbox/faults', express.json(), (req, res) => {
    const fault = faultSchema.safeParse(req.body);
    if (!fault.success) {
      res
        .status(400)
        .json({ error: fault.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    faults.add(fault.data);
    res.status(201).json(fault.data);
  });
  app.use(slack.router);
  app.use(slackWeb.router);
  app.use(hubspot.router);
  app.use(discourse.router);
  app.use(intercom.router);
  app.use(zendesk.router);
  app.use(discord.router);
  app.use((_req, res) => {
    res
      .status(404)
      .json({ status: 'error', message: 'no such sandbox route', category: 'OBJECT_NOT_FOUND' });
  });

  const smtpPort = await smtp.listen(options.smtpPort);
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(options.port, '127.0.0.1', () => resolve(listening));
      listening.once('error', reject);
    });
  } catch (error) {
    await smtp.close();
    throw error;
  }
  // The Discord gateway is a websocket on this same port.
  discord.attach(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    smtpPort,
    setTownhallUrl: (url) => {
      townhallUrl = url;
    },
    hubspot,
    slack: slackWeb,
    discord,
    faults,
    smtp,
    async stop() {
      discord.close();
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        smtp.close(),
      ]);
    },
  };
}
