// Support: the handoffs still open, each with its thread, ticket, status and the last message
// carried each way.
import { api } from '../api.js';
import { badge, external, h, table, when } from '../dom.js';

const TONES = {
  open: 'warn',
  pending: 'neutral',
  solved: 'good',
  resolved: 'good',
  closed: 'good',
};

function message(carried) {
  if (!carried) return '—';
  return h(
    'blockquote',
    {},
    h('p', {}, carried.text),
    h('footer', {}, carried.name ? `${carried.name}, ` : '', when(carried.at)),
  );
}

export async function supportView() {
  const handoffs = await api('/handoffs');
  return h(
    'div',
    { 'data-title': 'Support' },
    h('h1', { tabindex: '-1' }, 'Support'),
    h('p', {}, `${handoffs.length} open handoff${handoffs.length === 1 ? '' : 's'}.`),
    table(
      'Open handoffs',
      [
        'Thread',
        'Ticket',
        'Status',
        'Last member message → ticket',
        'Last agent reply → thread',
        'Opened',
      ],
      handoffs.map((x) => [
        h('span', {}, `${x.platform} `, x.runUrl ? external(x.runUrl, x.thread) : x.thread),
        x.ticket
          ? x.ticket.url
            ? external(x.ticket.url, `#${x.ticket.number}`)
            : `#${x.ticket.number}`
          : '—',
        badge(x.status, TONES[x.status] ?? 'neutral'),
        message(x.lastToDesk),
        message(x.lastToThread),
        when(x.openedAt),
      ]),
      'No open handoffs.',
    ),
  );
}
