// The single member view: who they are on each platform, 90 days of activity (a Chart.js bar
// chart, with the same numbers as a table for screen readers), level history, journeys,
// tickets, consent and the CRM records.
import { api } from '../api.js';
import { external, h, table, when } from '../dom.js';

function activityChart(days) {
  const total = days.reduce((sum, d) => sum + d.count, 0);
  const active = days.filter((d) => d.count > 0);
  const canvas = h('canvas', {
    role: 'img',
    'aria-label': `Activity per day over the last 90 days: ${total} in all, on ${active.length} days.`,
  });
  const figure = h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, `Activity, last 90 days (${total})`),
    h('div', { class: 'chart-box' }, canvas),
    h(
      'details',
      {},
      h('summary', {}, 'Show as a table'),
      table(
        'Activity by day',
        ['Day', 'Events'],
        active.map((d) => [d.day, d.count]),
        'No activity in 90 days.',
      ),
    ),
  );
  // Drawn once the figure is in the page (Chart.js sizes the canvas from its box).
  queueMicrotask(() => {
    if (!window.Chart) return;
    // One chart at a time: the previous member's (its canvas gone from the page) is let go.
    for (const chart of Object.values(window.Chart.instances)) chart.destroy();
    new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels: days.map((d) => d.day.slice(5)),
        datasets: [{ label: 'Events', data: days.map((d) => d.count), backgroundColor: '#1f5fbf' }],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 } },
          x: { ticks: { maxTicksLimit: 12 } },
        },
      },
    });
  });
  return figure;
}

function facts(member) {
  const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  return h(
    'dl',
    { class: 'facts' },
    row('Email', member.email ?? '—'),
    row('Platforms', member.platforms.join(', ') || '—'),
    row('First seen', when(member.firstSeenAt)),
    row('Last active', when(member.lastActiveAt)),
    row(
      'Engagement',
      `${member.engagement.level ?? 'no level'} (score ${member.engagement.score30Days} over 30 days)`,
    ),
    row('Milestones', member.milestones.map((m) => m.name).join(', ') || 'none'),
  );
}

export async function memberView(ref) {
  const member = await api(`/members/${encodeURIComponent(ref)}`);
  const title = member.name ?? member.email ?? member.id;
  const root = h(
    'div',
    { 'data-title': title },
    h('p', {}, h('a', { href: '#marketing' }, '← Back to the member search')),
    h('h1', { tabindex: '-1' }, title),
    facts(member),
    table(
      'Identities',
      ['Platform', 'Handle', 'Name', 'User id', 'Profile'],
      member.identities.map((i) => [
        i.platform,
        i.handle ?? '—',
        i.displayName ?? '—',
        i.userId,
        i.profileUrl ? external(i.profileUrl, `open ${i.platform} profile`) : '—',
      ]),
    ),
  );
  root.append(
    activityChart(member.activityByDay),
    table(
      'Engagement level history',
      ['Since', 'Level'],
      member.levelHistory.map((l) => [when(l.at), l.level ?? 'none']).reverse(),
    ),
    table(
      'Journeys',
      ['Journey', 'Status', 'Entered', 'Ended', 'Run'],
      member.journeys.map((j) => [
        j.journey,
        j.status ?? 'unknown',
        when(j.enteredAt),
        j.endedAt ? when(j.endedAt) : '—',
        j.url ? external(j.url, 'open in Temporal UI') : j.workflowId,
      ]),
    ),
    table(
      'Tickets',
      ['Help desk', 'Ticket', 'From', 'Opened'],
      member.tickets.map((t) => [t.helpdesk, t.ticketId, t.platform, when(t.openedAt)]),
    ),
    table(
      'Consent',
      ['Channel', 'Status', 'Source', 'Updated'],
      member.consent.map((c) => [c.channel, c.status, c.source, when(c.updatedAt)]),
    ),
    table(
      'CRM records',
      ['CRM', 'Record id', 'Synced'],
      member.crm.map((c) => [c.crm, c.personId, when(c.syncedAt)]),
      'Not synced to a CRM yet.',
    ),
  );
  return root;
}
