import { z } from 'zod';
import { isTimeZone } from '../config-fields.js';

/** HubSpot's property types and the field types each one may use (Properties API reference). */
export const PROPERTY_TYPES = [
  'string',
  'number',
  'date',
  'datetime',
  'enumeration',
  'bool',
] as const;
export const FIELD_TYPES = [
  'text',
  'textarea',
  'number',
  'date',
  'select',
  'radio',
  'checkbox',
  'booleancheckbox',
] as const;

/** One custom contact property townhall keeps up to date: its definition in HubSpot. */
export const communityPropertySchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*$/, 'use lower-case letters, digits and _, e.g. community_joined_at')
    .describe('Internal name of the contact property'),
  label: z.string().min(1).describe('What marketing sees on the contact record'),
  type: z.enum(PROPERTY_TYPES).default('string'),
  fieldType: z.enum(FIELD_TYPES).default('text'),
  description: z.string().optional(),
  options: z
    .array(z.strictObject({ label: z.string().min(1), value: z.string().min(1) }))
    .optional()
    .describe('The choices of an enumeration property'),
});
export type CommunityProperty = z.output<typeof communityPropertySchema>;

/** What marketing sees on a member's contact record when the config lists nothing else. */
export const DEFAULT_COMMUNITY_PROPERTIES: readonly CommunityProperty[] = [
  {
    name: 'community_member_id',
    label: 'Community member ID',
    type: 'string',
    fieldType: 'text',
    description: 'The member id townhall gave this person',
  },
  {
    name: 'community_platforms',
    label: 'Community platforms',
    type: 'enumeration',
    fieldType: 'checkbox',
    description: 'Where the member is active',
    options: ['slack', 'discord', 'discourse'].map((value) => ({
      label: value[0]!.toUpperCase() + value.slice(1),
      value,
    })),
  },
  {
    name: 'community_joined_at',
    label: 'Joined the community',
    type: 'datetime',
    fieldType: 'date',
  },
  {
    name: 'community_last_active_at',
    label: 'Last active in the community',
    type: 'datetime',
    fieldType: 'date',
  },
  {
    name: 'community_post_count',
    label: 'Community posts',
    type: 'number',
    fieldType: 'number',
  },
  {
    name: 'community_churn_risk',
    label: 'Community churn risk',
    type: 'enumeration',
    fieldType: 'select',
    options: ['low', 'medium', 'high'].map((value) => ({ label: value, value })),
  },
];

/** `connectors.hubspot`: one HubSpot account, reached with a private app's access token. */
export const hubspotConfigSchema = z.strictObject({
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
    .array(communityPropertySchema)
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
export type HubSpotConfig = z.output<typeof hubspotConfigSchema>;
/** What callers may pass: every setting with a default can be left out. */
export type HubSpotConfigInput = z.input<typeof hubspotConfigSchema>;
