import type { CommunityEventType } from '../connectors/events.js';

/**
 * The member events a running journey hears: its `exit_when` and its `wait_until` steps name
 * them. No imports beyond types: workflow code (the wait_until step) reads this list too.
 */
export const EXIT_EVENTS = [
  'message.posted',
  'reaction.added',
  'command.invoked',
  'member.left',
  /** The member unsubscribed from email (the link in every email). */
  'unsubscribed',
  /** The support handoff opened a ticket for the member's thread, or it was solved. */
  'ticket.created',
  'ticket.solved',
  /** Any activity: a message, a reaction or a command. */
  'activity',
] as const;
export type ExitEvent = (typeof EXIT_EVENTS)[number];

/** The events `activity` stands for. */
export const ACTIVITY_EVENTS: readonly CommunityEventType[] = [
  'message.posted',
  'reaction.added',
  'command.invoked',
];

/** The kinds an event of `type` counts as: itself, and `activity` where it is one. */
export const kindsOf = (type: CommunityEventType): string[] => [
  type,
  ...(ACTIVITY_EVENTS.includes(type) ? ['activity'] : []),
];

/**
 * The reasons a run of a journey with this `exit_when` can end with: an exit signal names the
 * event's own type (`message.posted`, not `activity`), and a member who leaves or is erased ends
 * every run. What the console and /metrics count exits by.
 */
export const exitReasonsFor = (exitWhen: readonly string[]): string[] => [
  ...new Set([
    ...exitWhen.flatMap((kind) => (kind === 'activity' ? [...ACTIVITY_EVENTS] : [kind])),
    'member.left',
    'erased',
  ]),
];
