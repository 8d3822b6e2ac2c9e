import type { KeyObject } from 'node:crypto';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import express from 'express';
import { signDiscordRequest } from '../../connectors/discord/signature.js';
import type { Json } from '../fields.js';
import { PayloadError, fieldsOf, isObject } from '../fields.js';
import { channelAt, userAt } from './refs.js';
import { serializeMember, serializeUser } from './serialize.js';
import type { GuildState } from './store.js';

/** DER PKCS#8 header for a raw 32-byte Ed25519 private key (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The seed `townhall start` gives its embedded sandbox, so the interaction public key in
 * config/examples/sandbox.yaml stays valid across starts. A sandbox-only key: never use it for
 * anything real.
 */
export const SANDBOX_DISCORD_SIGNING_SEED =
  'fa3eddae01997d675135cfc87d0c450c523c354c5cd24b1df6e3abfe813ede86';

/**
 * The application's Ed25519 key pair: from a 32-byte hex seed, or a random one on every start.
 * Built from the seed, never by generateKeyPair: Node 20 can deadlock when a collected key
 * generation job's destructor and a JWK export lock the same key (seen once in a test run), and
 * the public key is read from its SPKI DER, whose last 32 bytes are the raw key (RFC 8410).
 */
export function interactionKeys(seedHex?: string): { privateKey: KeyObject; publicKeyHex: string } {
  const seed = seedHex ? Buffer.from(seedHex, 'hex') : randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { privateKey, publicKeyHex: spki.subarray(-32).toString('hex') };
}

export interface InteractionSenderOptions {
  state: GuildState;
  privateKey: KeyObject;
  townhallUrl: () => string | undefined;
}

/**
 * Builds an APPLICATION_COMMAND interaction as Discord sends it for a slash command typed in
 * the sandbox guild. `user` is a user object, an id or a username (default ada), `channel_id`
 * defaults to #general; a thread's partial channel carries its parent_id, as Discord's does.
 */
function commandInteraction(state: GuildState, request: Json): Json {
  const fields = fieldsOf(request);
  const user = userAt(state, fields, 'user', 'ada');
  const member = state.members.get(user.id);
  const channel = channelAt(state, fields, 'channel_id', state.ids.channels.general);
  const name = typeof request.command === 'string' ? request.command : 'ticket';
  const options = Array.isArray(request.options)
    ? request.options
    : typeof request.text === 'string'
      ? [{ name: 'subject', type: 3, value: request.text }]
      : [];
  return {
    app_permissions: '2248473465835073',
    application_id: state.ids.application,
    attachment_size_limit: 10485760,
    authorizing_integration_owners: { '0': state.ids.guild },
    channel: {
      id: channel.id,
      type: channel.type,
      name: channel.name,
      guild_id: state.ids.guild,
      parent_id: channel.parentId,
      flags: 0,
      last_message_id: null,
      permissions: '2248473465835073',
    },
    channel_id: channel.id,
    context: 0,
    data: { id: state.nextId(), name, type: 1, ...(options.length ? { options } : {}) },
    entitlement_sku_ids: [],
    entitlements: [],
    guild: { features: [], id: state.ids.guild, locale: 'en-US' },
    guild_id: state.ids.guild,
    guild_locale: 'en-US',
    id: state.nextId(),
    locale: 'en-US',
    member: member
      ? { ...serializeMember(state, member), permissions: '1071698660929' }
      : { user: serializeUser(user), roles: [], joined_at: null, permissions: '0' },
    token: `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`,
    type: 2,
    version: 1,
  };
}

/** The interaction to send for a request body: given whole, a PING, or a slash command. */
function interactionFor(state: GuildState, request: Json): Json {
  // Discord's own interaction object, wrapped or as the body itself (an application command).
  if (isObject(request.interaction)) return request.interaction;
  if (request.type === 2 && isObject(request.data)) return request;
  if (request.type === 1)
    return {
      application_id: state.ids.application,
      id: state.nextId(),
      token: `aW50ZXJhY3Rpb246${randomBytes(24).toString('base64url')}`,
      type: 1,
      user: serializeUser(state.users.get(state.ids.users.ada)!),
      version: 1,
    };
  return commandInteraction(state, request);
}

/**
 * `POST /_sandbox/discord/interaction` signs an interaction with the application's key and posts
 * it to townhall's /webhooks/discord, answering with townhall's status and body. The body is one
 * of: `{ "type": 1 }` (PING), `{ "command": "ticket", "text": "...", "user": "ada",
 * "channel_id": "..." }`, or a Discord interaction object (`{ "interaction": {...} }`, or an
 * APPLICATION_COMMAND as the body itself) to send as given.
 */
export function createInteractionSender(options: InteractionSenderOptions) {
  const router = express.Router();
  router.post('/_sandbox/discord/interaction', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Discord sandbox' });
      return;
    }
    const request = isObject(req.body) ? req.body : {};
    let interaction: Json;
    try {
      interaction = interactionFor(options.state, request);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    const body = Buffer.from(JSON.stringify(interaction));
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(`${target}/webhooks/discord`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
          'x-signature-ed25519': signDiscordRequest(options.privateKey, timestamp, body),
          'x-signature-timestamp': timestamp,
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: returned as text
      }
      res.status(response.status).json({ status: response.status, body: parsed, interaction });
    } catch (error) {
      res.status(502).json({ error: `townhall did not answer: ${(error as Error).message}` });
    }
  });
  return router;
}
