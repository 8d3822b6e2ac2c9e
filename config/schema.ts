import { z } from 'zod';
import {
  DEFAULT_COMMUNITY_PROPERTIES,
  FIELD_TYPES as HUBSPOT_FIELD_TYPES,
  PROPERTY_TYPES as HUBSPOT_PROPERTY_TYPES,
} from '../connectors/hubspot/config.js';
import { DURATION_HINT, parseDuration } from './duration.js';

/** True for a time zone name Intl knows (UTC, Europe/Berlin ...). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A duration string such as `2d`, kept as text in the file and turned into milliseconds here. */
export const duration = z
  .string({ error: `expected a duration (${DURATION_HINT})` })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (${DURATION_HINT})` });
      return z.NEVER;
    }
    return ms;
  });

const emailSendStep = z.strictObject({
  template: z
    .string()
    .min(1)
    .describe('Template name: templates/<name>.liquid (HTML) and <name>.txt.liquid (text)'),
  subject: z.string().min(1).describe('Subject line; Liquid, e.g. "Welcome, {{ member.name }}"'),
});

const dmSendStep = z.strictObject({
  text: z
    .string()
    .min(1)
    .describe(
      'Message text; Liquid, e.g. "Welcome, {{ member.name }}!" (Discourse needs 10+ characters)',
    ),
  subject: z
    .string()
    .min(1)
    .default('Welcome to the community')
    .describe('Title, where private messages have one (Discourse); Liquid'),
});

const crmUpsertStep = z
  .strictObject({
    properties: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra contact properties to set'),
  })
  .nullish()
  .transform((value) => ({ properties: value?.properties ?? {} }));

export const STEP_TYPES = ['crm.upsert_contact', 'email.send', 'dm.send', 'wait'] as const;

/** A step is a one-key object: `- wait: 2d`, `- email.send: {...}`, `- crm.upsert_contact: {}`. */
const rawStep = z.strictObject({
  wait: duration.optional(),
  'email.send': emailSendStep.optional(),
  'dm.send': dmSendStep.optional(),
  'crm.upsert_contact': crmUpsertStep.optional(),
});

export type OnboardingStep =
  | { type: 'wait'; ms: number }
  | { type: 'email.send'; template: string; subject: string }
  /** A private message on the platform the member joined from. */
  | { type: 'dm.send'; text: string; subject: string }
  | { type: 'crm.upsert_contact'; properties: Record<string, string> };

const step = rawStep.transform((raw, ctx): OnboardingStep => {
  const present = STEP_TYPES.filter((type) => type in raw);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `a step needs exactly one of ${STEP_TYPES.join(', ')}`
          : `a step has one type, this one has ${present.join(' and ')} (split it into ${present.length} steps)`,
    });
    return z.NEVER;
  }
  if (raw.wait !== undefined) return { type: 'wait', ms: raw.wait };
  if (raw['email.send']) return { type: 'email.send', ...raw['email.send'] };
  if (raw['dm.send']) return { type: 'dm.send', ...raw['dm.send'] };
  return { type: 'crm.upsert_contact', properties: raw['crm.upsert_contact']?.properties ?? {} };
});

const onboardingWorkflow = z.strictObject({
  enabled: z.boolean().default(true),
  steps: z.array(step).min(1, 'list at least one step'),
});

/** Ports may come from `${ENV}` interpolation as text; only whole numbers are accepted. */
const port = z.preprocess(
  (value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
  z.number().int().min(1).max(65_535),
);

const slackConnector = z.strictObject({
  signingSecret: z.string().min(1).describe('Slack app signing secret (Basic Information page)'),
  botToken: z
    .string()
    .min(1)
    .optional()
    .describe('Bot user OAuth token (xoxb-...), for posting and lookups'),
  apiUrl: z.url().optional().describe('Web API base URL; defaults to https://slack.com/api/'),
});

const discordConnector = z.strictObject({
  applicationId: z.string().min(1).describe('Application ID (General Information page)'),
  publicKey: z
    .string()
    .regex(
      /^[0-9a-f]{64}$/i,
      'expected the 64-hex-character public key from the General Information page',
    )
    .describe('Ed25519 public key that signs HTTP interactions'),
  botToken: z.string().min(1).describe('Bot token (Bot page)'),
  guildId: z.string().min(1).describe('The server (guild) townhall serves'),
  apiUrl: z.url().optional().describe('REST base URL; defaults to https://discord.com/api'),
});

const discourseConnector = z.strictObject({
  baseUrl: z.url().describe('The forum, e.g. https://forum.example.com'),
  apiKey: z.string().min(1).describe('Admin API key (Admin > API)'),
  apiUsername: z.string().min(1).default('system').describe('User the API key acts as'),
  webhookSecret: z
    .string()
    .min(1)
    .describe('Secret set on the Discourse webhook (Admin > Webhooks)'),
});

const hubspotProperty = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _, e.g. community_joined_at')
    .describe('Internal name of the contact property'),
  label: z.string().min(1).describe('What marketing sees on the contact record'),
  type: z.enum(HUBSPOT_PROPERTY_TYPES).default('string'),
  fieldType: z.enum(HUBSPOT_FIELD_TYPES).default('text'),
  description: z.string().optional(),
  options: z
    .array(z.strictObject({ label: z.string().min(1), value: z.string().min(1) }))
    .optional()
    .describe('The choices of an enumeration property'),
});

const hubspotConnector = z.strictObject({
  accessToken: z.string().min(1).describe('HubSpot private app access token'),
  baseUrl: z.url().optional().describe('API base URL; defaults to https://api.hubapi.com'),
  clientSecret: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Client secret of the app that sends webhooks (it signs them, v3); enables POST /webhooks/hubspot',
    ),
  webhookUrl: z
    .url()
    .optional()
    .describe(
      "The target URL set in the app's webhook settings, exactly; needed behind a proxy that changes scheme, host or path (the v3 signature covers the URL)",
    ),
  propertyGroup: z
    .strictObject({
      name: z.string().min(1).default('community'),
      label: z.string().min(1).default('Community'),
    })
    .prefault({})
    .describe('The contact property group that holds the community properties'),
  properties: z
    .array(hubspotProperty)
    .default([...DEFAULT_COMMUNITY_PROPERTIES])
    .describe('Custom contact properties townhall creates once and keeps up to date'),
  accountTimeZone: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'expected an IANA time zone, e.g. Europe/Berlin')
    .describe(
      "The HubSpot account's time zone (Settings > Account defaults): the daily API limit resets at its midnight",
    ),
});

const zendeskConnector = z
  .strictObject({
    subdomain: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]*$/i,
        'expected the subdomain alone, e.g. acme for acme.zendesk.com',
      )
      .optional()
      .describe('Your account: acme for https://acme.zendesk.com'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'Account URL, e.g. https://support.example.com (a host mapping) or the sandbox; overrides subdomain',
      ),
    email: z
      .email()
      .describe("Email of the agent townhall works as; the API token must be that agent's"),
    apiToken: z
      .string()
      .min(1)
      .describe(
        'API token (Admin Center > Apps and integrations > Zendesk API); keep it in the environment',
      ),
    webhookSecret: z
      .string()
      .min(1)
      .describe('Signing secret of the webhook that sends ticket events (Admin Center > Webhooks)'),
    ticketDefaults: z
      .strictObject({
        tags: z
          .array(z.string().min(1))
          .default([])
          .describe('Tags on every ticket townhall creates, e.g. [community]'),
        priority: z
          .enum(['low', 'normal', 'high', 'urgent'])
          .optional()
          .describe("Priority of tickets townhall creates; unset leaves Zendesk's default"),
      })
      .prefault({})
      .describe('Defaults for the tickets townhall creates'),
  })
  .refine((zendesk) => zendesk.subdomain !== undefined || zendesk.baseUrl !== undefined, {
    path: ['subdomain'],
    message: 'set subdomain (acme for acme.zendesk.com) or baseUrl',
  });

/** YAML reads `adminId: 991267900` as a number; Intercom ids are strings. */
const intercomId = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);

const intercomConnector = z
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
    ticketTypeId: intercomId
      .optional()
      .describe('Ticket type for new tickets (GET /ticket_types lists them); needed for tickets'),
    adminId: intercomId.describe(
      'The teammate townhall replies and updates tickets as (GET /admins lists them)',
    ),
  })
  .refine((intercom) => intercom.create !== 'ticket' || intercom.ticketTypeId !== undefined, {
    path: ['ticketTypeId'],
    message: 'needed when create is "ticket" (GET /ticket_types lists the ids)',
  });

const emailConnector = z.strictObject({
  from: z.string().min(3).describe('Sender, e.g. "Townhall <hello@example.com>"'),
  templatesDir: z
    .string()
    .default('templates')
    .describe('Folder of Liquid templates, relative to the config file'),
  smtp: z.strictObject({
    host: z.string().min(1),
    port,
    secure: z
      .boolean()
      .default(false)
      .describe('true for implicit TLS (port 465); STARTTLS is used when offered'),
    user: z.string().optional(),
    pass: z.string().optional(),
    requireTLS: z
      .boolean()
      .default(false)
      .describe('Refuse to send unless the server upgrades the connection with STARTTLS'),
    tls: z
      .strictObject({
        rejectUnauthorized: z
          .boolean()
          .default(true)
          .describe('false accepts a self-signed certificate (the sandbox SMTP sink)'),
      })
      .prefault({}),
  }),
  unsubscribeSecret: z
    .string()
    .min(16, 'use at least 16 random characters (e.g. `openssl rand -hex 32`)')
    .describe('Signs the per-member unsubscribe links; keep it in the environment'),
  unsubscribeMailto: z
    .email()
    .optional()
    .describe(
      'Mailbox in List-Unsubscribe for mail clients that unsubscribe by email; defaults to the sender',
    ),
});

const configObject = z.strictObject({
  server: z
    .strictObject({
      port: port.default(3000),
      publicUrl: z
        .url()
        .optional()
        .describe(
          'Where members reach townhall (unsubscribe links); defaults to http://127.0.0.1:<port>',
        ),
    })
    .prefault({}),
  temporal: z
    .strictObject({
      address: z
        .string()
        .optional()
        .describe('host:port of a Temporal cluster; unset runs the embedded dev server'),
      namespace: z.string().default('default'),
      taskQueue: z.string().default('townhall'),
    })
    .prefault({}),
  sandbox: z
    .strictObject({
      port: port.default(4010),
      smtpPort: port.default(2525),
    })
    .optional()
    .describe('When present, `townhall start` runs the local vendor emulators'),
  connectors: z.strictObject({
    slack: slackConnector.optional(),
    discord: discordConnector.optional(),
    discourse: discourseConnector.optional(),
    hubspot: hubspotConnector.optional(),
    zendesk: zendeskConnector.optional(),
    intercom: intercomConnector.optional(),
    email: emailConnector.optional(),
  }),
  workflows: z.strictObject({
    onboarding: onboardingWorkflow.optional(),
  }),
});

/** Steps that call a vendor need that vendor's connector configured. */
const STEP_NEEDS = { 'email.send': 'email', 'crm.upsert_contact': 'hubspot' } as const;
/** A DM goes out on the member's own platform; at least one must be able to send. */
const CAN_DM = ['slack', 'discord', 'discourse'] as const;

export const configSchema = configObject.superRefine((config, ctx) => {
  config.workflows.onboarding?.steps.forEach((step, index) => {
    if (step.type === 'wait') return;
    if (step.type === 'dm.send') {
      const slackCanPost = Boolean(config.connectors.slack?.botToken);
      if (!slackCanPost && !config.connectors.discord && !config.connectors.discourse)
        ctx.addIssue({
          code: 'custom',
          path: ['workflows', 'onboarding', 'steps', index, step.type],
          message: `needs one of connectors.${CAN_DM.join(', connectors.')} (Slack with a botToken)`,
        });
      return;
    }
    const connector = STEP_NEEDS[step.type];
    if (!config.connectors[connector]) {
      ctx.addIssue({
        code: 'custom',
        path: ['workflows', 'onboarding', 'steps', index, step.type],
        message: `needs connectors.${connector}, which is not configured (add it under connectors:)`,
      });
    }
  });
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type OnboardingConfig = NonNullable<Config['workflows']['onboarding']>;
