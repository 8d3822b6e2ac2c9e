import type { Server } from 'node:http';
import express from 'express';
import { createDiscourseSandbox } from './discourse.js';
import { createFaults, faultSchema } from './faults.js';
import type { Faults } from './faults.js';
import { createHubSpotSandbox } from './hubspot.js';
import { createSlackSandbox } from './slack.js';
import { createSmtpSink } from './smtp.js';

export interface SandboxOptions {
  port: number;
  smtpPort: number;
  /** The login the SMTP sink accepts; sandbox defaults when absent. */
  smtpUser?: string;
  smtpPass?: string;
  hubspotAccessToken: string;
  slackSigningSecret: string;
  /** Discourse admin API key and webhook secret; sandbox defaults when absent. */
  discourseApiKey?: string;
  discourseWebhookSecret?: string;
  /** townhall's base URL, for the Slack emitter; can be set after start with setTownhallUrl. */
  townhallUrl?: string;
}

export interface Sandbox {
  url: string;
  port: number;
  smtpPort: number;
  setTownhallUrl(url: string): void;
  hubspot: ReturnType<typeof createHubSpotSandbox>;
  faults: Faults;
  smtp: ReturnType<typeof createSmtpSink>;
  stop(): Promise<void>;
}

/** Every vendor emulator on one HTTP port, the SMTP sink on its own, and /_sandbox inspection. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  let townhallUrl = options.townhallUrl;
  const faults = createFaults();
  const hubspot = createHubSpotSandbox({ accessToken: options.hubspotAccessToken, faults });
  const slack = createSlackSandbox({
    signingSecret: options.slackSigningSecret,
    townhallUrl: () => townhallUrl,
  });
  const discourse = createDiscourseSandbox({
    apiKey: options.discourseApiKey ?? 'sandbox-discourse-api-key',
    webhookSecret: options.discourseWebhookSecret ?? 'sandbox-discourse-webhook-secret',
    faults,
    townhallUrl: () => townhallUrl,
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
    discourse.reset();
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
  app.use(hubspot.router);
  app.use(discourse.router);
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
    faults,
    smtp,
    async stop() {
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        smtp.close(),
      ]);
    },
  };
}
