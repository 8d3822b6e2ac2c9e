import { signSlackRequest } from '../../connectors/slack/signature.js';

export function teamJoin(userId: string, email: string, eventId: string, name = 'Test Member') {
  return {
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    event: {
      type: 'team_join',
      event_ts: '1700000000.000100',
      user: {
        id: userId,
        team_id: 'T0TEST',
        name: userId.toLowerCase(),
        profile: { email, real_name: name },
      },
    },
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authed_users: [],
  };
}

/** POSTs a body to /webhooks/slack signed as Slack would (or with the given signature). */
export async function postSlack(
  baseUrl: string,
  secret: string,
  body: unknown,
  options: { signature?: string; timestamp?: number } = {},
): Promise<Response> {
  const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return fetch(`${baseUrl}/webhooks/slack`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': options.signature ?? signSlackRequest(secret, timestamp, raw),
    },
    body: raw,
  });
}

/** Each event built here gets its own ts and event id, counted from a per-process start. */
let lastTs = 1_700_000_000 + (process.pid % 10_000) * 1_000;

/** An Events API envelope for a member who joined through `teamJoin` (team T0TEST). */
function envelopeOf(event: Record<string, unknown>, eventId: string) {
  return {
    token: 'x',
    team_id: 'T0TEST',
    api_app_id: 'A0TEST',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authed_users: [],
  };
}

/** A message in #general from `userId`. */
export function slackMessage(userId: string, text: string) {
  lastTs += 1;
  return envelopeOf(
    { type: 'message', channel: 'C0GENERAL', user: userId, text, ts: `${lastTs}.000100` },
    `EvMsg${lastTs}`,
  );
}

/** A :tada: reaction from `userId` to a message in #general. */
export function slackReaction(userId: string) {
  lastTs += 1;
  return envelopeOf(
    {
      type: 'reaction_added',
      user: userId,
      reaction: 'tada',
      item: { type: 'message', channel: 'C0GENERAL', ts: '1700000000.000100' },
      event_ts: `${lastTs}.000200`,
    },
    `EvReact${lastTs}`,
  );
}
