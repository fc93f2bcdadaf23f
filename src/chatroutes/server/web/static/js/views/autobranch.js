// AutoBranch on a message: the branch points it suggests, and one click to create them.

import { api } from '../api.js';
import { h, toast } from '../dom.js';

export async function suggestionsBox(cid, message, onCreated) {
  const { suggestions } = await api('/autobranch/suggest-branches', {
    method: 'POST', body: { text: message.content },
  });
  if (!suggestions.length) {
    return h('div', { class: 'suggestions card', role: 'status' }, 'No branch points found in this message.');
  }
  const boxes = suggestions.map((s) => h('input', { type: 'checkbox', value: s.id, checked: true, id: `sg-${message.id}-${s.id}` }));
  const create = h('button', { type: 'button', class: 'primary small' });
  const sync = () => {
    const n = boxes.filter((b) => b.checked).length;
    create.textContent = `Create ${n} branch${n === 1 ? '' : 'es'}`;
    create.disabled = n === 0;
  };
  boxes.forEach((b) => b.addEventListener('change', sync));
  sync();
  create.addEventListener('click', async () => {
    create.disabled = true;
    try {
      const ids = boxes.filter((b) => b.checked).map((b) => b.value);
      const { branches } = await api(`/conversations/${cid}/messages/${message.id}/autobranch`, {
        method: 'POST', body: { suggestionIds: ids },
      });
      toast(`Created ${branches.length} branch${branches.length === 1 ? '' : 'es'}`);
      onCreated(branches);
    } catch (err) {
      toast(err.message, 'error');
      create.disabled = false;
    }
  });
  return h('div', { class: 'suggestions card stack', role: 'group', 'aria-label': 'Branch suggestions' },
    h('strong', {}, 'AutoBranch suggestions'),
    h('ul', { class: 'plain' }, suggestions.map((s, i) => h('li', {},
      boxes[i], ' ', h('label', { for: boxes[i].id }, h('strong', {}, s.title), ` (${Math.round(s.confidence * 100)}%)`),
      h('div', { class: 'muted small' }, s.description)))),
    create);
}
