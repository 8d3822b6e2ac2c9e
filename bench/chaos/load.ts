// The members who join, and the vendor side of their joins: signed webhooks, a share of them
// delivered twice, the order shuffled within windows, and every non-2xx answer (or no answer)
// redelivered after a backoff until a 2xx, as the platforms redeliver, up to a cap.
import { randomInt } from 'node:crypto';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import type { Sandbox } from '../../sandbox/index.js';
import { CHAOS_SECRETS } from './services.js';

export type JoinPlatform = 'slack' | 'discourse';

export interface ChaosMember {
  n: number;
  platform: JoinPlatform;
  /** The platform's user id (Slack U…, Discourse's numeric id). */
  userId: string;
  handle: string;
  name: string;
  email: string;
  /** The id townhall stores the join under (received_events.event_id). */
  eventId: string;
}

/**
 * The members, half on each platform, each already a user there (so a DM can reach them): Slack
 * users in the sandbox workspace, Discourse users created through the forum's API.
 */
export async function seedMembers(sandbox: Sandbox, count: number): Promise<ChaosMember[]> {
  const forum = new URL(sandbox.url);
  const members: ChaosMember[] = [];
  for (let n = 0; n < count; n++) {
    const tag = String(n).padStart(4, '0');
    const name = `Chaos Member ${tag}`;
    const email = `chaos${tag}@example.com`;
    if (n % 2 === 0) {
      const userId = `UCHAOS${tag}`;
      sandbox.emulators.slack.workspace.addUser({ id: userId, name: `chaos${tag}`, email });
      members.push({
        n,
        platform: 'slack',
        userId,
        handle: `chaos${tag}`,
        name,
        email,
        eventId: `slack:EvChaos${tag}`,
      });
    } else {
      const handle = `chaos${tag}`;
      const created = await fetch(`${sandbox.url}/users.json`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'api-key': CHAOS_SECRETS.discourseApiKey,
          'api-username': 'system',
        },
        body: JSON.stringify({ username: handle, name, email, password: 'x'.repeat(16) }),
      });
      const { user_id } = (await created.json()) as { user_id?: number };
      if (!user_id) throw new Error(`the forum did not create ${handle} (${created.status})`);
      members.push({
        n,
        platform: 'discourse',
        userId: String(user_id),
        handle,
        name,
        email,
        eventId: `discourse:${forum.host}:user_created:${user_id}`,
      });
    }
  }
  return members;
}

export interface Delivery {
  member: ChaosMember;
  /** A second delivery of an event already in the plan (a vendor's duplicate). */
  duplicate: boolean;
}

/**
 * Each member's join once, `duplicateShare` of them twice, shuffled within windows of `window`
 * deliveries: duplicates and originals arrive out of order, sometimes the copy first.
 */
export function deliveryPlan(
  members: ChaosMember[],
  duplicateShare: number,
  window = 20,
): Delivery[] {
  const plan: Delivery[] = [];
  for (const member of members) {
    plan.push({ member, duplicate: false });
    if (Math.random() < duplicateShare) plan.push({ member, duplicate: true });
  }
  for (let start = 0; start < plan.length; start += window) {
    const end = Math.min(start + window, plan.length);
    for (let i = end - 1; i > start; i--) {
      const j = start + randomInt(i - start + 1);
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
  }
  return plan;
}

function slackRequest(member: ChaosMember, attempt: number): RequestInit & { path: string } {
  const raw = Buffer.from(
    JSON.stringify({
      token: 'x',
      team_id: 'T0TEST',
      api_app_id: 'A0TEST',
      event: {
        type: 'team_join',
        event_ts: '1700000000.000100',
        user: {
          id: member.userId,
          team_id: 'T0TEST',
          name: member.handle,
          profile: { email: member.email, real_name: member.name },
        },
      },
      type: 'event_callback',
      event_id: member.eventId.slice('slack:'.length),
      event_time: 1_700_000_000,
      authed_users: [],
    }),
  );
  // Signed at each attempt: the signature covers a timestamp that must be recent.
  const timestamp = String(Math.floor(Date.now() / 1000));
  return {
    path: '/webhooks/slack',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(CHAOS_SECRETS.slackSigning, timestamp, raw),
      ...(attempt > 0
        ? { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': 'http_error' }
        : {}),
    },
    body: raw,
  };
}

let discourseDeliveries = 0;
function discourseRequest(member: ChaosMember, forumUrl: string): RequestInit & { path: string } {
  const raw = Buffer.from(
    JSON.stringify({
      user: {
        id: Number(member.userId),
        username: member.handle,
        name: member.name,
        email: member.email,
        created_at: '2026-01-01T00:00:00.000Z',
        // Signed up through DiscourseConnect, whose provider vouches for the address: the
        // welcome goes out at once (a bare sign-up's waits for its confirmation).
        external_id: `sso-${member.userId}`,
      },
    }),
  );
  return {
    path: '/webhooks/discourse',
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-discourse-instance': forumUrl,
      // A new id per attempt, as Discourse's own redeliveries have.
      'x-discourse-event-id': String(++discourseDeliveries),
      'x-discourse-event-type': 'user',
      'x-discourse-event': 'user_created',
      'x-discourse-event-signature': signDiscourseBody(CHAOS_SECRETS.discourseWebhook, raw),
    },
    body: raw,
  };
}

export interface SendStats {
  /** Deliveries planned: every event once, plus the duplicates. */
  deliveries: number;
  duplicates: number;
  /** HTTP requests made, redeliveries included. */
  requests: number;
  /** Deliveries that ended in a 2xx. */
  acknowledged: number;
  duplicatesAcknowledged: number;
  /** Answers that were not a 2xx (or no answer at all), each followed by a redelivery. */
  non2xx: number;
  byStatus: Record<string, number>;
  /** Deliveries that got a non-2xx answer first and a 2xx on a redelivery. */
  redeliveredToAck: number;
  /** Deliveries given up at the cap: never acknowledged. */
  gaveUp: number;
  acknowledgedEventIds: Set<string>;
  /** Events that had a non-2xx answer before their 2xx. */
  redeliveredEventIds: Set<string>;
}

export function emptyStats(): SendStats {
  return {
    deliveries: 0,
    duplicates: 0,
    requests: 0,
    acknowledged: 0,
    duplicatesAcknowledged: 0,
    non2xx: 0,
    byStatus: {},
    redeliveredToAck: 0,
    gaveUp: 0,
    acknowledgedEventIds: new Set(),
    redeliveredEventIds: new Set(),
  };
}

/**
 * Sends the plan at about `perSecond` deliveries a second, `concurrency` in flight at most; each
 * delivery is retried until a 2xx for up to `giveUpAfterMs`.
 */
export async function sendPlan(
  plan: Delivery[],
  options: {
    serverUrl: string;
    forumUrl: string;
    perSecond: number;
    concurrency: number;
    giveUpAfterMs: number;
    stats: SendStats;
  },
): Promise<void> {
  const { stats } = options;
  async function deliver({ member, duplicate }: Delivery): Promise<void> {
    stats.deliveries++;
    if (duplicate) stats.duplicates++;
    const deadline = Date.now() + options.giveUpAfterMs;
    for (let attempt = 0; ; attempt++) {
      const request =
        member.platform === 'slack'
          ? slackRequest(member, attempt)
          : discourseRequest(member, options.forumUrl);
      stats.requests++;
      let status: string;
      try {
        const response = await fetch(`${options.serverUrl}${request.path}`, {
          ...request,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        status = String(response.status);
      } catch {
        status = 'no answer';
      }
      if (status.startsWith('2')) {
        stats.acknowledged++;
        if (duplicate) stats.duplicatesAcknowledged++;
        if (attempt > 0) {
          stats.redeliveredToAck++;
          stats.redeliveredEventIds.add(member.eventId);
        }
        stats.acknowledgedEventIds.add(member.eventId);
        return;
      }
      stats.non2xx++;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (Date.now() > deadline) {
        stats.gaveUp++;
        return;
      }
      // Backoff as the vendors' redeliveries do, shortened: 0.5 s, 1 s, 2 s, then every 4 s.
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 4_000)));
    }
  }

  const inFlight = new Set<Promise<void>>();
  const gap = 1_000 / options.perSecond;
  for (const delivery of plan) {
    while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    const sending = deliver(delivery).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    await new Promise((resolve) => setTimeout(resolve, gap));
  }
  await Promise.all(inFlight);
}
