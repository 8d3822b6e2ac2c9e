// What the Discord → Intercom handoff test shares: members talking through the sandbox's Discord
// (gateway dispatches and signed HTTP interactions, as Discord sends them to the hub), what the
// bot posted and reacted with there, and the sandbox Intercom's tickets and contacts.
import { expect } from 'vitest';
import { refFor } from '../../connectors/intercom/dedup.js';
import type { Sandbox } from '../../sandbox/index.js';
import { INTERCOM_DEFAULTS } from '../../sandbox/intercom/index.js';
import { handoffWorkflowId } from '../../workflows/handoff/types.js';

/** connectors.discord and connectors.intercom as YAML under `connectors:`, for the sandbox. */
export function sandboxDiscordIntercomYaml(sandbox: Sandbox): string {
  const discord = sandbox.emulators.discord;
  return `  discord:
    applicationId: '${discord.applicationId}'
    guildId: '${discord.guildId}'
    publicKey: ${discord.publicKey}
    botToken: ${discord.botToken}
    apiUrl: ${sandbox.url}/api
  intercom:
    baseUrl: ${sandbox.url}
    accessToken: ${INTERCOM_DEFAULTS.accessToken}
    clientSecret: ${INTERCOM_DEFAULTS.clientSecret}
    ticketTypeId: '1'
    adminId: '991267900'`;
}

/** A Discord user as dispatches carry it. */
export interface DiscordUser {
  id: string;
  username: string;
  global_name: string;
}

/** A gateway dispatch from the sandbox guild, delivered to the hub's gateway session. */
export async function emitDiscord(
  sandbox: Sandbox,
  t: string,
  d: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandbox.url}/_sandbox/discord/emit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ t, d }),
  });
  const answer = (await response.json()) as {
    d: Record<string, unknown>;
    delivered: { connected: boolean }[];
  };
  expect(response.status, `${t}: ${JSON.stringify(answer)}`).toBe(200);
  expect(
    answer.delivered.filter((session) => session.connected),
    `${t} reached no connected gateway session`,
  ).toHaveLength(1);
  return answer.d;
}

/** A member joins the guild (Discord gives no email). */
export async function joinDiscord(sandbox: Sandbox, user: DiscordUser): Promise<void> {
  await emitDiscord(sandbox, 'GUILD_MEMBER_ADD', { user });
}

/** A member's message in a channel or a thread (a thread is a channel): answers its id. */
export async function postDiscord(
  sandbox: Sandbox,
  author: DiscordUser,
  channelId: string,
  content: string,
): Promise<string> {
  const d = await emitDiscord(sandbox, 'MESSAGE_CREATE', {
    author,
    member: { roles: [], nick: null },
    channel_id: channelId,
    content,
  });
  return d.id as string;
}

/** A member's reaction on a message (🎫 unless told). */
export async function reactDiscord(
  sandbox: Sandbox,
  user: DiscordUser,
  messageId: string,
  emoji = '🎫',
): Promise<void> {
  await emitDiscord(sandbox, 'MESSAGE_REACTION_ADD', {
    user_id: user.id,
    member: { user, roles: [], nick: null },
    message_id: messageId,
    emoji: { id: null, name: emoji },
  });
}

/** A member starts a thread from a message: Discord gives the thread the message's id. */
export async function startThreadAsMember(
  sandbox: Sandbox,
  owner: DiscordUser,
  parentId: string,
  messageId: string,
): Promise<void> {
  await emitDiscord(sandbox, 'THREAD_CREATE', {
    id: messageId,
    type: 11,
    name: 'help thread',
    parent_id: parentId,
    owner_id: owner.id,
  });
}

export interface InteractionAnswer {
  status: number;
  body: { type?: number; data?: { content?: string; flags?: number } };
  interaction: { id: string };
  /** From the request to the sandbox until townhall's answer came back through it. */
  elapsedMs: number;
}

/** `/ticket <text>` typed by a member, as a signed HTTP interaction to the hub. */
export async function discordCommand(
  sandbox: Sandbox,
  fields: { user: string; channel_id: string; text: string },
): Promise<InteractionAnswer> {
  const started = performance.now();
  const response = await fetch(`${sandbox.url}/_sandbox/discord/interaction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ command: 'ticket', ...fields }),
  });
  const answer = (await response.json()) as Omit<InteractionAnswer, 'elapsedMs'>;
  return { ...answer, elapsedMs: performance.now() - started };
}

/** A message townhall posted through Discord's API, as the sandbox lists them. */
export interface BotMessage {
  id: string;
  channel_id: string;
  content: string;
  parent_id?: string;
}

/** What the bot posted in a channel (a thread is one), oldest first. */
export async function botPostsIn(sandbox: Sandbox, channelId: string): Promise<BotMessage[]> {
  const all = (await (
    await fetch(`${sandbox.url}/_sandbox/discord/messages`)
  ).json()) as BotMessage[];
  return all.filter((m) => m.channel_id === channelId);
}

/** The bot's reactions on a message, as emoji. */
export async function botReactionsOn(sandbox: Sandbox, messageId: string): Promise<string[]> {
  const all = (await (await fetch(`${sandbox.url}/_sandbox/discord/reactions`)).json()) as {
    message_id: string;
    emoji: string;
    user_ids: string[];
  }[];
  const bot = sandbox.emulators.discord.ids.bot;
  return all
    .filter((r) => r.message_id === messageId && r.user_ids.includes(bot))
    .map((r) => r.emoji);
}

/** A channel as the bot reads it over REST (a thread: type 11 and its parent). */
export async function discordChannel(
  sandbox: Sandbox,
  channelId: string,
): Promise<{ id: string; type: number; parent_id?: string | null } | undefined> {
  const response = await fetch(`${sandbox.url}/api/v10/channels/${channelId}`, {
    headers: { authorization: `Bot ${sandbox.emulators.discord.botToken}` },
  });
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return (await response.json()) as { id: string; type: number; parent_id?: string | null };
}

/** An Intercom ticket as GET /_sandbox/intercom/tickets lists it. */
export interface IntercomTicket {
  id: string;
  ticket_id: string;
  ticket_attributes: Record<string, string>;
  ticket_state: { category: string };
  open: boolean;
  contacts: { contacts: { id: string; external_id: string | null }[] };
  ticket_parts: {
    ticket_parts: {
      id: string;
      part_type: string;
      body: string | null;
      author: { type: string; id: string; name?: string | null };
    }[];
  };
}

export const intercomTickets = async (sandbox: Sandbox) =>
  (await (await fetch(`${sandbox.url}/_sandbox/intercom/tickets`)).json()) as IntercomTicket[];

export const intercomContacts = async (sandbox: Sandbox) =>
  (await (await fetch(`${sandbox.url}/_sandbox/intercom/contacts`)).json()) as {
    id: string;
    external_id: string | null;
    email: string;
    name: string | null;
    role: string;
  }[];

/**
 * The tickets a Discord thread's handoff made: the run's id (one per thread: `<channel>/<thread>`,
 * or `request/<event id>` for a command given outside a thread) is the ticket's `townhall_ref`,
 * hashed as the Intercom connector does.
 */
export async function ticketsForThread(
  sandbox: Sandbox,
  threadKey: string,
): Promise<IntercomTicket[]> {
  const ref = refFor(
    handoffWorkflowId({
      platform: 'discord',
      communityId: sandbox.emulators.discord.guildId,
      threadKey,
    }),
  );
  return (await intercomTickets(sandbox)).filter(
    (ticket) => ticket.ticket_attributes.townhall_ref === ref,
  );
}

/** An Intercom teammate's action on a ticket (reply, note, resolve, reopen), notifying the hub. */
export async function intercomAgent(
  sandbox: Sandbox,
  ticketId: string,
  action: 'reply' | 'note' | 'resolve' | 'reopen',
  body: Record<string, unknown> = {},
): Promise<void> {
  const response = await fetch(`${sandbox.url}/_sandbox/intercom/tickets/${ticketId}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { delivery?: { status: number | null } | null };
  expect(response.status, `${action}: ${JSON.stringify(answer)}`).toBe(200);
  expect(answer.delivery?.status, `${action}: the hub's answer to the webhook`).toBe(200);
}
