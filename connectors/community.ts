import type { z } from 'zod';
import type { platform } from './events.js';

export type Platform = z.infer<typeof platform>;

/** Who to message, as the member's platform identity knows them. */
export interface DirectMessageTarget {
  /** The platform's user id (Slack U…, Discord snowflake, Discourse numeric id). */
  userId: string;
  /** Username, where the platform addresses people by name (Discourse). */
  handle?: string | undefined;
}

/**
 * A platform that can send a member a private message. `dedupKey` is the caller's idempotency
 * key (workflow id + step): a retried call with the same key must not send a second message,
 * even when the first attempt's answer was lost.
 */
export interface DirectMessenger {
  sendDirectMessage(input: {
    to: DirectMessageTarget;
    text: string;
    /** A title, for platforms whose private messages have one (Discourse). */
    subject: string;
    dedupKey: string;
  }): Promise<{
    messageId: string;
    /** False when an earlier attempt had sent it; undefined when the platform cannot tell. */
    created?: boolean;
  }>;
}
