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
