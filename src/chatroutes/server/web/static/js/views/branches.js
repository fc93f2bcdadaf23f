// The branches panel: open, rename, archive, delete, merge into the parent, compare two.

import { api } from '../api.js';
import { h, field, dialog, confirmBox, toast, navigate } from '../dom.js';
import { editBudget, spentSummary } from './budget.js';

export function branchesPanel(data, branch, reload) {
  const cid = data.conversation.id;
  const act = (fn, done) => async () => {
    try {
      await fn();
      await reload();
      if (done) toast(done);
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  const patch = (b, body) => api(`/conversations/${cid}/branches/${b.id}`, { method: 'PATCH', body });

  const rename = (b) => async () => {
    const v = await dialog('Rename branch', [
      field('Title', h('input', { name: 'title', required: true, maxlength: 500, value: b.title })),
    ]);
    if (v) await act(() => patch(b, { title: v.title }), 'Branch renamed')();
  };
  const remove = (b) => async () => {
    if (!(await confirmBox(`Delete branch "${b.title}"?`))) return;
    await act(() => api(`/conversations/${cid}/branches/${b.id}`, { method: 'DELETE' }), 'Branch deleted')();
    if (b.id === branch.id) navigate(`#/c/${cid}`);
  };
  const merge = (b) => act(
    () => api(`/conversations/${cid}/branches/${b.id}/merge`, { method: 'POST', body: { strategy: 'append' } }),
    'Branch merged into its parent',
  );

  const rows = data.branches.map((b) => h('li', { class: `branch-row${b.id === branch.id ? ' current' : ''}` },
    h('div', { class: 'row' },
      h('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${data.colour(b.id)}` }),
      h('a', { href: `#/c/${cid}/b/${b.id}`, 'aria-current': b.id === branch.id ? 'true' : null }, b.title),
      h('span', { class: 'muted small' }, `${b.messageCount} msg${b.isMain ? ' · main' : ''}${b.archived ? ' · archived' : ''}`)),
    spentSummary(b),
    h('div', { class: 'row wrap actions' },
      h('button', { type: 'button', class: 'link', onClick: rename(b), 'aria-label': `Rename ${b.title}` }, 'Rename'),
      b.spent ? h('button', {
        type: 'button', class: 'link', 'aria-label': `Budget of ${b.title}`,
        onClick: async () => { if (await editBudget(cid, 'branch', b, b.title)) await reload(); },
      }, 'Budget') : null,
      b.isMain ? null : h('button', {
        type: 'button', class: 'link', onClick: act(() => patch(b, { archived: !b.archived }), b.archived ? 'Branch restored' : 'Branch archived'),
        'aria-label': `${b.archived ? 'Unarchive' : 'Archive'} ${b.title}`,
      }, b.archived ? 'Unarchive' : 'Archive'),
      b.isMain ? null : h('button', { type: 'button', class: 'link', onClick: merge(b), 'aria-label': `Merge ${b.title} into its parent` }, 'Merge'),
      b.isMain ? null : h('button', { type: 'button', class: 'link danger', onClick: remove(b), 'aria-label': `Delete ${b.title}` }, 'Delete'))));

  const options = (selected) => data.branches.map((b) => h('option', { value: b.id, selected: b.id === selected ? true : null }, b.title));
  const other = data.branches.find((b) => b.id !== branch.id);
  const a = h('select', { name: 'a' }, options(branch.id));
  const b = h('select', { name: 'b' }, options(other?.id));
  const compare = h('form', { class: 'stack compare-form', 'aria-label': 'Compare branches' },
    h('h3', {}, 'Compare two branches'),
    h('div', { class: 'row wrap' }, field('Left', a), field('Right', b)),
    h('button', { type: 'submit', class: 'secondary', disabled: data.branches.length < 2 ? true : null }, 'Compare side by side'));
  compare.addEventListener('submit', (event) => {
    event.preventDefault();
    navigate(`#/c/${cid}/compare/${a.value}/${b.value}`);
  });
  return h('div', { class: 'stack' }, h('ul', { class: 'branch-list' }, rows), compare);
}
