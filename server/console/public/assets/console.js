// The console's router: the URL's hash names the view (#ops, #support, #marketing,
// #member/<id>); the ops and support views refresh themselves every few seconds.
import { opsView } from './views/ops.js';
import { supportView } from './views/support.js';
import { marketingView } from './views/marketing.js';
import { memberView } from './views/member.js';

const REFRESH_MS = 5_000;
const view = document.getElementById('view');
const status = document.getElementById('status');
const problem = document.getElementById('problem');
let timer;
let generation = 0;

function route() {
  // Decoded once, where it is read: a search for ada+forum@example.com keeps its plus, and a
  // broken escape in a member link fails that view (shown as a problem), not the console.
  const hash = window.location.hash.slice(1);
  if (hash.startsWith('member/'))
    return { name: 'marketing', render: () => memberView(decodeURIComponent(hash.slice(7))) };
  if (hash.startsWith('marketing'))
    return { name: 'marketing', render: () => marketingView(new URLSearchParams(hash.slice(10))) };
  if (hash === 'support') return { name: 'support', render: supportView, refresh: true };
  return { name: 'ops', render: opsView, refresh: true };
}

async function show(focus) {
  clearTimeout(timer);
  const current = ++generation;
  const { name, render, refresh } = route();
  for (const link of document.querySelectorAll('nav a'))
    if (link.getAttribute('href') === `#${name}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  try {
    const content = await render();
    if (current !== generation) return;
    // A refresh never pulls a form field from under someone typing in it; the heading keeps
    // the focus it had, so a screen reader's place survives the refresh.
    const active = document.activeElement;
    const typing = !focus && view.contains(active) && active.matches('input, select, textarea');
    if (!typing) {
      const headingHadFocus = view.contains(active) && active.matches('h1');
      view.replaceChildren(content);
      if (focus || headingHadFocus) content.querySelector('h1')?.focus();
    }
    document.title = `${content.dataset.title ?? name} · townhall console`;
    status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    problem.hidden = true;
  } catch (error) {
    if (current !== generation) return;
    problem.textContent = `Could not load this view: ${error.message} Retrying every few seconds.`;
    problem.hidden = false;
  }
  if ((refresh || !problem.hidden) && current === generation)
    timer = setTimeout(() => show(false), REFRESH_MS);
}

window.addEventListener('hashchange', () => show(true));
show(false);
