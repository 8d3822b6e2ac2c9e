import type { CommunityEvent } from '../events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import type { DiscordConfig } from './config.js';
import { describeIssues, locate, memberOf } from './normalize.js';
import type { CommandOption } from './payloads.js';
import {
  CALLBACK_TYPE,
  EPHEMERAL,
  INTERACTION_TYPE,
  commandInteraction,
  interactionEnvelope,
} from './payloads.js';
import { verifyDiscordSignature } from './signature.js';
import { snowflakeTime } from './snowflake.js';
import { header, parseJson } from '../inbound-parsing.js';

/** The slash command townhall turns into `command.invoked`. */
export const TICKET_COMMAND = 'ticket';

/** An interaction response only the invoking user sees. */
export const ephemeral = (content: string) => ({
  type: CALLBACK_TYPE.channelMessage,
  data: { content, flags: EPHEMERAL },
});

/**
 * The command's text, as a user would type it after the command name: sub-command names and
 * option values in order (`/ticket open subject:Login broken` → "open Login broken").
 */
export function commandText(options: CommandOption[] | undefined): string {
  const parts: string[] = [];
  for (const option of options ?? []) {
    if (option.options !== undefined) parts.push(option.name, commandText(option.options));
    else if (option.value !== undefined) parts.push(String(option.value));
  }
  return parts.filter((part) => part.length > 0).join(' ');
}

function commandEvent(body: unknown, servedGuild: string | undefined): InboundResult {
  const parsed = commandInteraction.safeParse(body);
  if (!parsed.success) throw new MalformedPayloadError(describeIssues(parsed.error));
  const interaction = parsed.data;
  const name = interaction.data.name;
  if (name !== TICKET_COMMAND)
    return { kind: 'reply', body: ephemeral(`/${name} is not something townhall handles.`) };
  const { guild_id: guildId, member } = interaction;
  const channelId = interaction.channel_id ?? interaction.channel?.id;
  if (!guildId || !member || !channelId)
    return {
      kind: 'reply',
      body: ephemeral(
        `Use /${TICKET_COMMAND} in a channel of the server, not in a direct message.`,
      ),
    };
  // An app installed in several servers hears all of them; townhall serves one.
  if (servedGuild !== undefined && guildId !== servedGuild)
    return {
      kind: 'reply',
      body: ephemeral(`/${TICKET_COMMAND} is not set up for this server.`),
    };
  // The interaction's partial channel says whether it is a thread and what its parent is.
  const channel = interaction.channel;
  const where = locate(channelId, channel?.type, (id) =>
    channel && channel.id === id
      ? { type: channel.type, parentId: channel.parent_id ?? null }
      : undefined,
  );
  const event: CommunityEvent = {
    type: 'command.invoked',
    eventId: `discord:interaction:${interaction.id}`,
    platform: 'discord',
    // The interaction id is a snowflake: its creation time is the moment the user invoked it.
    occurredAt: snowflakeTime(interaction.id).toISOString(),
    member: memberOf(guildId, member.user, member),
    command: name,
    text: commandText(interaction.data.options),
    ...where,
  };
  return {
    kind: 'event',
    event,
    // Shown only when the router gives no answer of its own (it answers every command it routes).
    reply: ephemeral('townhall recorded your /ticket.'),
    answer: (text: string) => ephemeral(text),
  };
}

/**
 * Discord HTTP interactions (the app's Interactions Endpoint URL): Ed25519-signed JSON. PING is
 * answered with PONG; the /ticket slash command becomes `command.invoked` and is answered, once
 * it is durable, with an ephemeral acknowledgement; every other interaction gets a reply that
 * says townhall does not handle it (Discord needs an answer to every interaction).
 */
export const discordInteractions: InboundConnector<DiscordConfig> = {
  name: 'discord',

  verify(request, config, now) {
    return verifyDiscordSignature(
      config.publicKey,
      header(request, 'x-signature-timestamp'),
      header(request, 'x-signature-ed25519'),
      request.rawBody,
      now,
    );
  },

  parse(request, config): InboundResult {
    const body = parseJson(request.rawBody);
    // PING needs only its type to be answered.
    if ((body as { type?: unknown } | null)?.type === INTERACTION_TYPE.ping)
      return { kind: 'reply', body: { type: CALLBACK_TYPE.pong } };
    const envelope = interactionEnvelope.safeParse(body);
    if (!envelope.success) throw new MalformedPayloadError(describeIssues(envelope.error));
    switch (envelope.data.type) {
      case INTERACTION_TYPE.applicationCommand:
        return commandEvent(body, config?.guildId);
      case INTERACTION_TYPE.autocomplete:
        return {
          kind: 'reply',
          body: { type: CALLBACK_TYPE.autocompleteResult, data: { choices: [] } },
        };
      default:
        return {
          kind: 'reply',
          body: ephemeral('townhall does not handle this interaction.'),
        };
    }
  },
};
