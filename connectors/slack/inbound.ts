import { z } from 'zod';
import type { CommunityEvent } from '../events.js';
import type { InboundConnector, InboundRequest, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import { slackEnvelope, teamJoinEvent } from './payloads.js';
import { verifySlackSignature } from './signature.js';

export const slackConfigSchema = z.object({ signingSecret: z.string().min(1) });
export type SlackConfig = z.infer<typeof slackConfigSchema>;

function header(request: InboundRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new MalformedPayloadError('body is not JSON');
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}

/** Slack Events API: signed with the v0 scheme, JSON envelopes around events. */
export const slackInbound: InboundConnector<SlackConfig> = {
  name: 'slack',
  configSchema: slackConfigSchema,

  verify(request, config, now) {
    return verifySlackSignature(
      config.signingSecret,
      header(request, 'x-slack-request-timestamp'),
      header(request, 'x-slack-signature'),
      request.rawBody,
      now,
    );
  },

  parse(request): InboundResult {
    const envelope = slackEnvelope.safeParse(parseJson(request.rawBody));
    if (!envelope.success) throw new MalformedPayloadError(describeIssues(envelope.error));
    const body = envelope.data;
    if (body.type === 'url_verification')
      return { kind: 'reply', body: { challenge: body.challenge } };

    if (body.event.type !== 'team_join') {
      return { kind: 'ignored', reason: `slack event ${body.event.type} is not handled` };
    }
    const joined = teamJoinEvent.safeParse(body.event);
    if (!joined.success) throw new MalformedPayloadError(describeIssues(joined.error));
    const user = joined.data.user;
    if (user.is_bot) return { kind: 'ignored', reason: 'bot users are not members' };

    const email = user.profile?.email;
    const event: CommunityEvent = {
      type: 'member.joined',
      eventId: `slack:${body.event_id}`,
      platform: 'slack',
      occurredAt: new Date(body.event_time * 1000).toISOString(),
      member: {
        userId: user.id,
        communityId: user.team_id ?? body.team_id,
        ...(email && z.email().safeParse(email).success ? { email } : {}),
        ...(pickName(user) ? { name: pickName(user) } : {}),
        ...(user.name ? { handle: user.name } : {}),
      },
    };
    return { kind: 'event', event };
  },
};

function pickName(user: z.infer<typeof teamJoinEvent>['user']): string | undefined {
  return (
    user.profile?.real_name ||
    user.real_name ||
    user.profile?.display_name ||
    user.name ||
    undefined
  );
}
