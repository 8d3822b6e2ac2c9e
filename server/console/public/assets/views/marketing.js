// Marketing: find a member (by email, handle or name) and see how the CRM sync is doing.
import { api } from '../api.js';
import { duration, h, table, when } from '../dom.js';

export async function marketingView(params) {
  const q = params.get('q') ?? '';
  const [found, sync] = await Promise.all([
    api(`/members?limit=25&q=${encodeURIComponent(q)}`),
    api('/sync'),
  ]);
  const input = h('input', {
    id: 'member-search',
    type: 'search',
    name: 'q',
    value: q,
    autocomplete: 'off',
  });
  const form = h(
    'form',
    { role: 'search', class: 'search' },
    h('label', { for: 'member-search' }, 'Search members by email, handle or name'),
    input,
    h('button', { type: 'submit' }, 'Search'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    window.location.hash = `marketing?q=${encodeURIComponent(input.value)}`;
  });
  const rows = found.members.map((m) => [
    h('a', { href: `#member/${encodeURIComponent(m.id)}` }, m.name ?? m.email ?? m.id),
    m.email ?? '—',
    (m.platforms ?? []).join(', '),
    m.level ?? '—',
    when(m.lastActiveAt),
  ]);
  return h(
    'div',
    { 'data-title': 'Marketing' },
    h('h1', { tabindex: '-1' }, 'Marketing'),
    form,
    table(
      q
        ? `Members matching “${q}” (${found.total ?? rows.length})`
        : `Members (${found.total ?? rows.length})`,
      ['Member', 'Email', 'Platforms', 'Level', 'Last active'],
      rows,
      'No members found.',
    ),
    table(
      'CRM sync',
      ['CRM', 'Lag', 'Last run', 'Written', 'Failed', 'Recent failures'],
      sync.map((s) => [
        s.crm,
        duration(s.lagMs),
        when(s.lastRunAt),
        s.lastRunWritten,
        s.lastRunFailed,
        s.failures.length === 0
          ? 'none'
          : s.failures
              .slice(0, 3)
              .map((f) => f.reason)
              .join('; '),
      ]),
      'No CRM configured.',
    ),
  );
}
