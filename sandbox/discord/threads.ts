import express from 'express';
import { fail } from './errors.js';
import type { MessageRouteOptions } from './messages.js';
import type { MessageRecord } from './store.js';
import { discordTimestamp } from './store.js';
import { serializeChannel, serializeMember } from './serialize.js';

/** Text and announcement channels: the ones whose messages can start a thread. */
const THREAD_PARENTS: Record<number, number> = { 0: 11, 5: 10 };

/**
 * A Unicode emoji as Discord takes it in a reaction URL: pictographs with their joiners,
 * variation selectors, skin tones, flags and keycaps. Shortcodes (`white_check_mark`) are not
 * emoji to the API: Discord answers 10014 Unknown Emoji.
 */
const UNICODE_EMOJI =
  /^(?=.*(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3))(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3|[#*0-9])+$/u;

/**
 * Threads started from a message (POST /channels/{c}/messages/{m}/threads: the thread's id is the
 * message's) and the bot's reactions (PUT .../reactions/{emoji}/@me, 204 whether new or not).
 */
export function threadRoutes(options: MessageRouteOptions) {
  const { state, conforms } = options;
  const router = express.Router();

  router.post(
    '/channels/:channelId/messages/:messageId/threads',
    conforms('post', '/channels/{channel_id}/messages/{message_id}/threads'),
    (req, res) => {
      const parent = state.channels.get(String(req.params.channelId));
      if (!parent) return fail(res, 404, 10003, 'Unknown Channel');
      const type = THREAD_PARENTS[parent.type];
      if (type === undefined)
        return fail(res, 400, 50024, 'Cannot execute action on this channel type');
      const message = state.messages.get(String(req.params.messageId));
      if (!message || message.channelId !== parent.id)
        return fail(res, 404, 10008, 'Unknown Message');
      if (state.channels.has(message.id))
        return fail(res, 400, 160004, 'A thread has already been created for this message');
      const thread = state.addChannel({
        id: message.id,
        type,
        name: (req.body as { name: string }).name,
        parentId: parent.id,
        ownerId: state.ids.bot,
      });
      // Discord opens the thread with a starter notice (type 21) pointing at the message, which
      // itself stays in the parent channel.
      const starter: MessageRecord = {
        id: state.nextId(),
        channelId: thread.id,
        authorId: message.authorId,
        content: '',
        timestamp: discordTimestamp(),
        type: 21,
        nonce: null,
        reference: { message_id: message.id, channel_id: parent.id, guild_id: state.ids.guild },
        viaApi: false,
      };
      state.messages.set(starter.id, starter);
      const json = serializeChannel(state, thread);
      options.dispatch('THREAD_CREATE', { ...json, newly_created: true });
      res.status(201).json(json);
    },
  );

  router.put('/channels/:channelId/messages/:messageId/reactions/:emoji/@me', (req, res) => {
    const channel = state.channels.get(String(req.params.channelId));
    if (!channel) return fail(res, 404, 10003, 'Unknown Channel');
    const message = state.messages.get(String(req.params.messageId));
    if (!message || message.channelId !== channel.id)
      return fail(res, 404, 10008, 'Unknown Message');
    // Express has decoded the URL; the sandbox guild has no custom emoji, so name:id is unknown.
    const emoji = req.params.emoji;
    if (!UNICODE_EMOJI.test(emoji)) return fail(res, 400, 10014, 'Unknown Emoji');
    if (state.react(message.id, emoji, state.ids.bot) && channel.type !== 1) {
      const member = state.members.get(state.ids.bot);
      options.dispatch('MESSAGE_REACTION_ADD', {
        type: 0,
        user_id: state.ids.bot,
        channel_id: channel.id,
        message_id: message.id,
        message_author_id: message.authorId,
        guild_id: state.ids.guild,
        ...(member ? { member: serializeMember(state, member) } : {}),
        emoji: { id: null, name: emoji },
        burst: false,
        burst_colors: [],
      });
    }
    res.status(204).end();
  });

  return router;
}
