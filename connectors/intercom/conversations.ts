import type { Intercom, IntercomClient } from 'intercom-client';
import { ConnectorError } from '../errors.js';
import { refFor } from './dedup.js';
import { attempt } from './errors.js';
import type { CreatedTicket, TicketInput } from './tickets.js';

const unavailable = (message: string) =>
  new ConnectorError('unavailable', message, { vendor: 'intercom' });

/** `create: conversation`: the thread becomes a conversation started by the member. */
export function conversationActions(client: IntercomClient, config: { adminId: string }) {
  async function findByRef(ref: string): Promise<Intercom.Conversation | undefined> {
    const page = await attempt('conversation search', () =>
      client.conversations.search({
        query: { field: 'source.body', operator: '=', value: ref },
        pagination: { per_page: 5 },
      }),
    );
    return [...page.data].sort(
      (a, b) => (a.created_at ?? 0) - (b.created_at ?? 0) || Number(a.id) - Number(b.id),
    )[0];
  }

  return {
    async createConversation(input: TicketInput): Promise<CreatedTicket> {
      const ref = refFor(input.dedupKey);
      const summary = (id: string, created: boolean): CreatedTicket => ({
        kind: 'conversation',
        id,
        number: null,
        externalId: ref,
        created,
      });
      const earlier = await findByRef(ref);
      if (earlier) return summary(earlier.id, false);
      // The ref is the message's last word: see dedup.ts.
      const message = await attempt('conversation creation', () =>
        client.conversations.create({
          from: { type: 'user', id: input.contactId },
          body: `${input.title}\n\n${input.transcript}\n\n(ref ${ref})`,
        }),
      );
      if (!message.conversation_id)
        throw unavailable('Intercom conversation creation: no conversation id in the answer');
      return summary(message.conversation_id, true);
    },

    /** GET /conversations/{id}: its state, or undefined when there is no such conversation. */
    async getConversation(
      conversationId: string,
    ): Promise<{ id: string; state: string } | undefined> {
      try {
        const conversation = await attempt('conversation read', () =>
          client.conversations.find({ conversation_id: conversationId }),
        );
        return { id: conversation.id, state: conversation.state };
      } catch (error) {
        if (error instanceof ConnectorError && error.code === 'not_found') return undefined;
        throw error;
      }
    },

    /**
     * A teammate's comment or note, or (`requester`) a comment as the contact who started the
     * conversation, which Intercom shows as the customer's own message.
     */
    async replyToConversation(input: {
      conversationId: string;
      body: string;
      kind: 'comment' | 'note' | 'requester';
    }): Promise<{ partId: string }> {
      let body: Intercom.ReplyConversationRequest;
      if (input.kind === 'requester') {
        const conversation = await attempt('conversation read', () =>
          client.conversations.find({ conversation_id: input.conversationId }),
        );
        const contactId = conversation.contacts?.contacts?.find((c) => c.id)?.id;
        if (!contactId)
          throw new ConnectorError(
            'invalid',
            `Intercom conversation ${input.conversationId} has no contact`,
            { vendor: 'intercom' },
          );
        body = {
          message_type: 'comment',
          type: 'user',
          intercom_user_id: contactId,
          body: input.body,
        };
      } else
        body = {
          message_type: input.kind,
          type: 'admin',
          admin_id: config.adminId,
          body: input.body,
        };
      const conversation = await attempt('conversation reply', () =>
        client.conversations.reply({ conversation_id: input.conversationId, body }),
      );
      const parts = conversation.conversation_parts?.conversation_parts ?? [];
      const part = parts[parts.length - 1];
      if (!part?.id) throw unavailable('Intercom conversation reply: no part in the answer');
      return { partId: part.id };
    },

    /**
     * Opens a closed or snoozed conversation (POST /conversations/{id}/parts, message_type
     * open) as the configured teammate; an open one is left as it is, so a repeat changes
     * nothing.
     */
    async reopenConversation(conversationId: string): Promise<void> {
      const conversation = await attempt('conversation read', () =>
        client.conversations.find({ conversation_id: conversationId }),
      );
      if (conversation.state === 'open') return;
      await attempt('conversation reopen', () =>
        client.conversations.manage({
          conversation_id: conversationId,
          body: { message_type: 'open', admin_id: config.adminId },
        }),
      );
    },
  };
}
