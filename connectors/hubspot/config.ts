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

/** A property definition townhall makes sure of: the config's fields, and uniqueness. */
export type PropertyDefinition = CommunityProperty & {
  /** HubSpot enforces one contact per value, so the property can key an upsert (`idProperty`). */
  hasUniqueValue?: boolean;
};

/** The contact property that holds townhall's member id: unique, so upserts can key on it. */
export const MEMBER_ID_PROPERTY = 'townhall_member_id';
/** The multiple-checkbox property of the platforms a member is on. */
export const PLATFORMS_PROPERTY = 'community_platforms';

/**
 * townhall's community properties (connectors/ports.ts COMMUNITY_PROPERTIES), always created and
 * always by these names, so that CRM reports can rely on them. `community_platforms` gets its
 * options from the platforms townhall has connectors for when ensureCommunityProperties runs
 * (platforms.ts), and more whenever townhall writes a platform the options lack. Engagement
 * levels and milestone names come from the config, so they are text (milestones `;`-separated),
 * not enumerations whose options would have to follow the config.
 */
export const DEFAULT_COMMUNITY_PROPERTIES: readonly PropertyDefinition[] = [
  {
    name: MEMBER_ID_PROPERTY,
    label: 'Townhall member ID',
    type: 'string',
    fieldType: 'text',
    description:
      'The member id townhall gave this person (unique: townhall updates contacts by it)',
    hasUniqueValue: true,
  },
  {
    name: PLATFORMS_PROPERTY,
    label: 'Community platforms',
    type: 'enumeration',
    fieldType: 'checkbox',
    description: 'The community platforms the member is on',
    options: [],
  },
  {
    name: 'community_first_seen',
    label: 'First seen in the community',
    type: 'datetime',
    fieldType: 'date',
    description: 'When townhall first saw the member on any platform',
  },
  {
    name: 'community_last_active',
    label: 'Last active in the community',
    type: 'datetime',
    fieldType: 'date',
    description: "The member's latest activity on any platform (staff excluded)",
  },
  {
    name: 'community_activity_30d',
    label: 'Community activity (30 days)',
    type: 'number',
    fieldType: 'number',
    description: 'Activities (posts, reactions, commands ...) in the last 30 days',
  },
  {
    name: 'community_engagement_level',
    label: 'Community engagement level',
    type: 'string',
    fieldType: 'text',
    description: 'The engagement level townhall computed (levels come from its config)',
  },
  {
    name: 'community_milestones',
    label: 'Community milestones',
    type: 'string',
    fieldType: 'text',
    description: 'Milestones reached, in order, separated by ;',
  },
];

const FIXED_NAMES = DEFAULT_COMMUNITY_PROPERTIES.map((property) => property.name);

/** The fixed properties followed by the ops-configured extras: every property townhall keeps. */
export const communityProperties = (
  config: Pick<HubSpotConfig, 'properties'>,
): readonly PropertyDefinition[] => [...DEFAULT_COMMUNITY_PROPERTIES, ...config.properties];

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
    .default([])
    .superRefine((properties, ctx) => {
      const seen = new Set<string>();
      properties.forEach(({ name }, i) => {
        if (FIXED_NAMES.includes(name))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `${name} is one of townhall's own community properties (always created): leave it out`,
          });
        else if (seen.has(name))
          ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${name} is listed twice` });
        seen.add(name);
      });
    })
    .describe(
      `Extra custom contact properties townhall creates once in the property group, next to its own (${FIXED_NAMES.join(', ')}), which are always there`,
    ),
  requestLimit: z
    .strictObject({
      max: z.number().int().min(1).default(100),
      intervalMs: z.number().int().min(100).default(10_000),
    })
    .prefault({})
    .describe(
      "The portal's burst limit, shared by all its apps (100 per 10 s on Free and Starter, 190 on Professional and Enterprise): every worker paces its requests to it",
    ),
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
