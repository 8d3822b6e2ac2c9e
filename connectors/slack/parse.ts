import { z } from 'zod';
import type { CommunityMember } from '../events.js';
import type { InboundRequest } from '../types.js';
import { verifySlackSignature } from './signature.js';
import type { SlackUser } from './payloads.js';
import { header } from '../inbound-parsing.js';

/** What both Slack endpoints need from `connectors.slack`: the app's signing secret. */
export interface SlackSigningConfig {
  signingSecret: string;
}

/** The v0 signature over the raw bytes, the same for the Events API and slash commands. */
export function verifySlackRequest(
  request: InboundRequest,
  config: SlackSigningConfig,
  now?: Date,
): boolean {
  return verifySlackSignature(
    config.signingSecret,
    header(request, 'x-slack-request-timestamp'),
    header(request, 'x-slack-signature'),
    request.rawBody,
    now,
  );
}

/** A Slack ts or epoch seconds as an ISO date; undefined when it is not a time. */
export function isoFromSeconds(seconds: string | number): string | undefined {
  const date = new Date(Number(seconds) * 1000);
  // Slack sometimes sends an event_ts without its dot ("1515449522000016"): not a time.
  return date.getTime() > 0 ? date.toISOString() : undefined;
}

function pickName(user: SlackUser): string | undefined {
  return (
    user.profile?.real_name ||
    user.real_name ||
    user.profile?.display_name ||
    user.name ||
    undefined
  );
}

/** The roles a Slack user object's flags name, as `members.staff.roles` writes them. */
const SLACK_ROLES = [
  ['admin', 'is_admin'],
  ['owner', 'is_owner'],
  ['primary_owner', 'is_primary_owner'],
] as const;

/**
 * 'admin', 'owner' and 'primary_owner' as the user object's flags say; undefined when it carries
 * none of the flags (unknown), an empty list when all it carries are false.
 */
export function slackRoles(user: SlackUser): string[] | undefined {
  const stated = SLACK_ROLES.filter(([, flag]) => user[flag] !== undefined);
  if (stated.length === 0) return undefined;
  return stated.filter(([, flag]) => user[flag] === true).map(([role]) => role);
}

/**
 * A full Slack user object as a normalized member; the email only when Slack showed one (with
 * `is_email_confirmed` where the object says it), the roles only when the object carries the
 * admin/owner flags.
 */
export function memberFromUser(user: SlackUser, teamId: string): CommunityMember {
  const email = user.profile?.email;
  const name = pickName(user);
  const roles = slackRoles(user);
  return {
    userId: user.id,
    communityId: user.team_id ?? teamId,
    ...(email && z.email().safeParse(email).success
      ? {
          email,
          ...(user.is_email_confirmed !== undefined
            ? { emailVerified: user.is_email_confirmed }
            : {}),
        }
      : {}),
    ...(name ? { name } : {}),
    ...(user.name ? { handle: user.name } : {}),
    ...(roles ? { roles } : {}),
    ...(user.tz ? { timezone: user.tz } : {}),
  };
}

/**
 * A permalink in chat.getPermalink's shape (`/archives/<channel>/p<ts without the dot>`, plus
 * `thread_ts` and `cid` for a reply). Events do not carry the workspace's subdomain, so the host
 * is slack.com, which sends a signed-in reader on to their workspace.
 */
export function permalink(channel: string, ts: string, threadTs?: string): string {
  const base = `https://slack.com/archives/${encodeURIComponent(channel)}/p${ts.replace('.', '')}`;
  return threadTs
    ? `${base}?thread_ts=${encodeURIComponent(threadTs)}&cid=${encodeURIComponent(channel)}`
    : base;
}
