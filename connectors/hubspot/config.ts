import { z } from 'zod';

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
export const communityPropertySchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/),
  label: z.string().min(1),
  type: z.enum(PROPERTY_TYPES).default('string'),
  fieldType: z.enum(FIELD_TYPES).default('text'),
  description: z.string().optional(),
  options: z.array(z.object({ label: z.string().min(1), value: z.string().min(1) })).optional(),
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
    options: ['slack', 'discord', 'discourse', 'reddit'].map((value) => ({
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

/**
 * Mirrors `connectors.hubspot` in config/schema.ts (which carries the editor hints): one HubSpot
 * account, reached with a private app's access token.
 */
export const hubspotConfigSchema = z.object({
  accessToken: z.string().min(1),
  baseUrl: z.url().optional(),
  clientSecret: z.string().min(1).optional(),
  webhookUrl: z.url().optional(),
  propertyGroup: z
    .object({
      name: z.string().min(1).default('community'),
      label: z.string().min(1).default('Community'),
    })
    .prefault({}),
  properties: z.array(communityPropertySchema).default([...DEFAULT_COMMUNITY_PROPERTIES]),
  accountTimeZone: z.string().min(1).default('UTC'),
});
export type HubSpotConfig = z.output<typeof hubspotConfigSchema>;
/** What callers may pass: every setting with a default can be left out. */
export type HubSpotConfigInput = z.input<typeof hubspotConfigSchema>;
