/**
 * Freshdesk stores descriptions, replies and notes as HTML. townhall's text is plain (a thread
 * transcript, a member's message): it is escaped and its line breaks kept, so nothing a member
 * wrote becomes markup in the agent's view.
 */
export function plainToHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r?\n/g, '<br>');
}
