// Two branches side by side: the context they share, folded, then where they differ.

import { ConversationData } from '../convdata.js';
import { h, mount } from '../dom.js';
import { messageBody } from '../markdown.js';

function column(data, branch, messages) {
  return h('section', { class: 'card compare-col', 'aria-label': branch.title, style: `--branch:${data.colour(branch.id)}` },
    h('h2', {}, h('span', { class: 'swatch', 'aria-hidden': 'true' }), ' ', branch.title),
    messages.length ? h('ol', { class: 'messages' }, messages.map((m) => h('li', { class: `msg ${m.role}` },
      h('div', { class: 'msg-head' }, h('span', { class: 'role' }, m.role === 'user' ? 'You' : m.model || 'Assistant')),
      messageBody(m.role, m.content))))
      : h('p', { class: 'muted' }, 'Nothing beyond the shared context.'));
}

export async function renderCompare(main, cid, leftId, rightId) {
  const data = await ConversationData.load(cid);
  const left = data.branch(leftId);
  const right = data.branch(rightId);
  const a = data.path(left);
  const b = data.path(right);
  let shared = 0;
  while (shared < a.length && shared < b.length && a[shared].id === b[shared].id) shared++;
  mount(main, h('div', { class: 'page stack' },
    h('div', { class: 'row wrap' },
      h('h1', {}, `Compare: ${left.title} ↔ ${right.title}`),
      h('div', { class: 'spacer' }),
      h('a', { class: 'button secondary', href: `#/c/${cid}/b/${left.id}` }, 'Back to the conversation')),
    h('details', { class: 'card' },
      h('summary', {}, `${shared} shared message${shared === 1 ? '' : 's'} of context`),
      h('ol', { class: 'messages' }, a.slice(0, shared).map((m) => h('li', { class: `msg ${m.role}` },
        messageBody(m.role, m.content))))),
    h('div', { class: 'compare' }, column(data, left, a.slice(shared)), column(data, right, b.slice(shared)))));
}
