import type { TicketStatus } from '../../connectors/business-events.js';
import type { Routing } from '../steps/context.js';

/** What asks for a ticket: a handoff rule's trigger. */
export type HandoffTriggerKind = 'reaction' | 'command' | 'keyword' | 'unanswered';

/**
 * The thread a handoff serves. `threadId` is absent for a command given outside any thread (a
 * Slack slash command): the run then posts the request in the channel and that post is the thread.
 */
export interface HandoffThread {
  platform: string;
  communityId: string;
  channelId: string;
  threadId?: string | undefined;
}

/** What a run keeps across continue-as-new. */
export interface HandoffState {
  threadId: string;
  ticket: { ticketId: string; number: string; url?: string | undefined };
  /** The thread's first message: where the solved reaction goes. */
  rootMessageId?: string | undefined;
  requesterUserId?: string | undefined;
  status: TicketStatus;
  /** Status messages posted so far: each one's activity id is unique by it. */
  statusPosts: number;
  /** The last member message carried into the ticket (the console's support view). */
  lastToDesk?: CarriedMessage | undefined;
  /** The last agent reply carried into the thread. */
  lastToThread?: CarriedMessage | undefined;
}

/** A message the run carried one way, shortened: for people looking, not for a transcript. */
export interface CarriedMessage {
  name?: string | undefined;
  text: string;
  /** Epoch milliseconds (workflow time) when it was carried. */
  at: number;
}

export interface HandoffSettings {
  tags: string[];
  transcriptLimit: number;
  solvedReaction: string | null;
  reopenOnReply: boolean;
  quietMs: number;
  /** Signals a run handles before it continues as new (history stays small). */
  signalsPerRun?: number | undefined;
}

export interface HandoffInput {
  thread: HandoffThread;
  /** The help desk's connector id: the first rule's, for the life of the thread. */
  helpdesk: string;
  rule: string;
  trigger: HandoffTriggerKind;
  /** Who asked (a command), where the thread does not say: its first author otherwise. */
  requesterUserId?: string | undefined;
  /** The command's text, or the message that matched: the ticket's subject when given. */
  summary?: string | undefined;
  /** `unanswered`: how long staff have to reply before the thread becomes a ticket. */
  watchMs?: number | undefined;
  settings: HandoffSettings;
  routing: Routing;
  /** Set when the run continues as new with a ticket already open. */
  state?: HandoffState | undefined;
}

/** Another rule fired on the thread (🎫 again, /ticket, a keyword): make the ticket now. */
export interface TriggerSignal {
  eventId: string;
  rule: string;
}

/** Someone posted in the thread. */
export interface ThreadMessageSignal {
  eventId: string;
  messageId: string;
  userId: string;
  name?: string | undefined;
  staff: boolean;
  text: string;
}

/** A help-desk event about the ticket, normalized (connectors/business-events.ts). */
export type TicketEventSignal =
  | {
      type: 'ticket.comment_added';
      eventId: string;
      ticketId: string;
      commentId: string;
      public: boolean;
      role: 'agent' | 'requester' | 'other';
      authorName?: string | undefined;
      text: string;
    }
  | {
      type: 'ticket.status_changed';
      eventId: string;
      ticketId: string;
      status: TicketStatus;
    };

export type HandoffResult =
  | { outcome: 'answered' }
  | { outcome: 'ended'; ticketId: string; status: TicketStatus }
  /** A command outside a thread: its request post's thread has a run of its own (that id). */
  | { outcome: 'moved'; workflowId: string };

/** One run per thread: the id names the platform, the community and the thread. */
export function handoffWorkflowId(thread: {
  platform: string;
  communityId: string;
  threadKey: string;
}): string {
  return `handoff:${thread.platform}:${thread.communityId}:${thread.threadKey}`;
}
