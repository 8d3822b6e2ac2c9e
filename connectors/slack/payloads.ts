import { z } from 'zod';

/** The Slack user object as delivered in team_join (only what townhall reads). */
export const slackUser = z.looseObject({
  id: z.string().min(1),
  team_id: z.string().optional(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  is_bot: z.boolean().optional(),
  profile: z
    .looseObject({
      email: z.string().optional(),
      real_name: z.string().optional(),
      display_name: z.string().optional(),
    })
    .optional(),
});

export const urlVerification = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
});

/** The Events API outer envelope (see shared/specs/slack/event-wrapper.schema.json). */
export const eventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  api_app_id: z.string().optional(),
  event_id: z.string().min(1),
  event_time: z.number().int(),
  event: z.looseObject({ type: z.string().min(1) }),
});

export const slackEnvelope = z.discriminatedUnion('type', [urlVerification, eventCallback]);

export const teamJoinEvent = z.looseObject({ type: z.literal('team_join'), user: slackUser });
