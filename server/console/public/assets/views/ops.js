// Ops: what is configured and whether it is on, how runs are going, what failed, how each
// connector's vendor calls are going, and how far the CRM sync is behind.
import { api } from '../api.js';
import { badge, duration, external, h, table, when } from '../dom.js';

const onOff = (enabled) => (enabled ? badge('on', 'good') : badge('off', 'neutral'));

function exits(counts) {
  if (!counts.exited) return 'not told apart';
  const entries = Object.entries(counts.exited);
  if (entries.length === 0) return '0';
  return entries.map(([reason, n]) => `${n} (${reason})`).join(', ');
}

function health(connector) {
  if (connector.rateLimitedUntil) return badge('rate limited', 'warn');
  if (
    connector.lastErrorAt &&
    (!connector.lastSuccessAt || connector.lastErrorAt > connector.lastSuccessAt)
  )
    return badge(`failing: ${connector.lastErrorCode}`, 'bad');
  if (connector.lastSuccessAt) return badge('ok', 'good');
  return badge('no calls yet', 'neutral');
}

export async function opsView() {
  const ops = await api('/ops');
  const root = h('div', { 'data-title': 'Ops' }, h('h1', { tabindex: '-1' }, 'Ops'));
  if (ops.unavailable.length > 0)
    root.append(
      h(
        'p',
        { class: 'problem', role: 'alert' },
        `Not available right now: ${ops.unavailable.join(', ')}.`,
      ),
    );
  root.append(
    table(
      'Journeys',
      ['Journey', 'State', 'Running', 'Completed', 'Exited (by reason)', 'Failed', 'Other'],
      ops.journeys.map((j) =>
        j.counts
          ? [
              j.name,
              onOff(j.enabled),
              j.counts.running,
              j.counts.completed,
              exits(j.counts),
              j.counts.failed,
              j.counts.other,
            ]
          : [j.name, onOff(j.enabled), '?', '?', '?', '?', '?'],
      ),
      'No journeys configured.',
    ),
    table(
      'Support handoff rules',
      ['Rule', 'State', 'Trigger', 'Platform', 'Help desk'],
      ops.handoffRules.map((r) => [
        r.name,
        onOff(r.enabled),
        r.on,
        r.platform ?? 'every platform',
        r.helpdesk,
      ]),
      'No handoff rules configured.',
    ),
    table(
      'Recent failures',
      ['Run', 'Type', 'Ended'],
      ops.failures.map((f) => [
        f.url ? external(f.url, f.workflowId) : f.workflowId,
        f.type,
        when(f.closedAt),
      ]),
      'No failed runs.',
    ),
    table(
      'Connectors',
      [
        'Connector',
        'Health',
        'Calls',
        'Errors',
        'Last success',
        'Last error',
        'Rate limited until',
      ],
      ops.connectors.map((c) => [
        c.connector,
        health(c),
        c.calls,
        c.errors,
        when(c.lastSuccessAt),
        c.lastErrorAt ? h('span', {}, when(c.lastErrorAt), ` (${c.lastErrorCode})`) : '—',
        c.rateLimitedUntil ? when(c.rateLimitedUntil) : '—',
      ]),
    ),
    table(
      'CRM sync',
      ['CRM', 'Lag', 'Last run', 'Failed in last run'],
      ops.sync.map((s) => [s.crm, duration(s.lagMs), when(s.lastRunAt), s.lastRunFailed]),
      'No CRM configured.',
    ),
  );
  return root;
}
