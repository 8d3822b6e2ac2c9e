// What the handoff tests share: members talking through the sandbox's platforms (posted there and
// delivered to the hub signed, as the platform would), agents acting through the sandbox desks.
import { expect } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Zendesk ticket as GET /_sandbox/zendesk/tickets lists it. */
export interface DeskTicket {
  id: number;
  external_id: string | null;
  subject: string;
  description: string;
  status: string;
  requester_id: number;
  tags: string[];
  comments: { id: number; body: string | null; public: boolean; author_id: number }[];
}

async function sandboxPost(sandbox: Sandbox, path: string, body: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  expect(response.status, `${path}: ${JSON.stringify(answer)}`).toBe(200);
  return answer;
}

/** An Events API event from the sandbox workspace, delivered to the hub; answers the sandbox. */
async function emitSlackEvent(sandbox: Sandbox, event: Record<string, unknown>) {
  const answer = await sandboxPost(sandbox, '/_sandbox/slack/emit', event);
  expect(answer.status).toBe(200);
  return answer;
}

/**
 * A Slack event from the sandbox workspace: a message by default (in #general), posted there and
 * delivered to the hub. Answers the message's ts (a reaction's, its message's).
 */
export async function emitSlack(sandbox: Sandbox, event: Record<string, unknown>): Promise<string> {
  const answer = await emitSlackEvent(sandbox, { type: 'message', channel: 'C0GENERAL', ...event });
  const item = event.item as { ts?: string } | undefined;
  const ts = typeof answer.ts === 'string' ? answer.ts : item?.ts;
  expect(typeof ts).toBe('string');
  return ts!;
}

/** A Slack member with an email, joined through the sandbox (so in the sandbox's team). */
export async function joinSlack(sandbox: Sandbox, userId: string, name: string): Promise<string> {
  const email = `${userId.toLowerCase()}@example.com`;
  await emitSlackEvent(sandbox, {
    type: 'team_join',
    user: {
      id: userId,
      name: name.toLowerCase().replace(/\W/g, ''),
      real_name: name,
      profile: { email, real_name: name },
    },
  });
  return email;
}

/** A slash command through the sandbox, as Slack posts it: answers townhall's response. */
export async function slackCommand(
  sandbox: Sandbox,
  fields: { user_id: string; channel_id: string; text: string; command?: string },
): Promise<{ status: number; response: { text?: string } }> {
  const response = await fetch(`${sandbox.url}/_sandbox/slack/command`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: '/ticket', ...fields }),
  });
  return (await response.json()) as { status: number; response: { text?: string } };
}

/** An agent's action in a sandbox help desk (reply, note, solve, reopen). */
export async function agentAction(
  sandbox: Sandbox,
  desk: string,
  ticketId: string | number,
  action: string,
  body: Record<string, unknown>,
): Promise<void> {
  await sandboxPost(sandbox, `/_sandbox/${desk}/tickets/${ticketId}/${action}`, body);
}

/** The bot's posts in a Slack thread, oldest first. */
export const threadPosts = (sandbox: Sandbox, channel: string, threadTs: string) =>
  sandbox.emulators.slack.workspace.messages.filter(
    (m) => m.channel === channel && m.threadTs === threadTs && m.user === 'U0TOWNBOT',
  );
