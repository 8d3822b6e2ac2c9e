// DOM helpers: every member-supplied string goes in as text (textContent), never as markup, and
// links only ever point at http(s) URLs.

/** h('td', { class: 'n' }, 'text', otherNode): attributes, then children (strings become text). */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A link to a vendor or Temporal page; a dash when the URL is missing or not http(s). */
export function external(url, text) {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:' || parsed.protocol === 'http:')
      return h('a', { href: parsed.href, target: '_blank', rel: 'noopener noreferrer' }, text);
  } catch {
    // not a URL: not a link
  }
  return h('span', { title: 'no web link' }, '—');
}

/** A table with a caption, column headers, and one row per item. */
export function table(caption, columns, rows, empty = 'None yet.') {
  if (rows.length === 0) return h('section', {}, h('h3', {}, caption), h('p', {}, empty));
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((cells) =>
        h(
          'tr',
          {},
          cells.map((cell) => h('td', {}, cell)),
        ),
      ),
    ),
  );
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", with the exact time in a <time> element's datetime and title. */
export function when(iso) {
  if (!iso) return '—';
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const [value, unit] =
    Math.abs(seconds) < 60
      ? [seconds, 'second']
      : Math.abs(seconds) < 3600
        ? [Math.round(seconds / 60), 'minute']
        : Math.abs(seconds) < 86400
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86400), 'day'];
  return h('time', { datetime: iso, title: iso }, relative.format(value, unit));
}

export function duration(ms) {
  if (ms < 1000) return 'none';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** A small coloured badge whose meaning is in its text, not only its colour. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge ${tone}` }, text);
}
