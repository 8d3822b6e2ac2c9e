/**
 * What the handoff says in the thread: Liquid templates whose values (the agent's words, a ticket
 * number) are escaped in the platform's markup before they are inserted. A
 * link the help desk gives (the ticket's page) is added after the text, as is.
 */
export const HANDOFF_TEXT = {
  acknowledged:
    'Thanks! Our support team has ticket #{{ number }} for this thread and will answer here.',
  agentReply: '{{ agent }} (support): {{ text }}',
  solved: 'Ticket #{{ number }} is solved. Reply here if you still need help.',
  reopened: 'Ticket #{{ number }} is open again; support will follow up here.',
  request: 'Support request from {{ requester }}: {{ summary }}',
} as const;
