// The checkpoints panel: each checkpoint's summary and the tokens it saves; recreate, delete.

import { api } from '../api.js';
import { h, toast, fmtInt, fmtDate, confirmBox, navigate } from '../dom.js';

export async function createCheckpoint(cid, branchId, messageId) {
  const { checkpoint } = await api(`/conversations/${cid}/checkpoints`, {
    method: 'POST', body: { branchId, anchorMessageId: messageId },
  });
  toast(`Checkpoint created: ${fmtInt(checkpoint.tokensSaved)} tokens saved`);
  return checkpoint;
}

export async function checkpointsPanel(data, branch) {
  const cid = data.conversation.id;
  const { checkpoints } = await api(`/conversations/${cid}/checkpoints?branchId=${encodeURIComponent(branch.id)}`);
  const container = h('div', { class: 'stack' });
  const render = (list) => {
    container.replaceChildren(list.length ? h('ul', { class: 'checkpoint-list' }, list.map(item)) : h('p', { class: 'muted' },
      'No checkpoints on this branch. Use "Checkpoint" on a message to summarise everything up to it.'));
  };
  const item = (c) => h('li', { class: 'card checkpoint' },
    h('div', { class: 'row wrap' },
      h('strong', {}, `${c.checkpointType === 'auto' ? 'Auto' : 'Manual'} checkpoint`),
      h('span', { class: 'badge' }, `${fmtInt(c.tokensSaved)} tokens saved`),
      h('span', { class: 'muted small' }, `${fmtInt(c.sourceTokenCount)} → ${fmtInt(c.tokenCount)} tokens · ${c.sourceMessageCount} messages · ${fmtDate(c.createdAt)}`)),
    h('p', { class: 'summary' }, c.summary),
    h('div', { class: 'row' },
      h('button', {
        type: 'button', class: 'secondary small',
        onClick: async () => {
          try {
            const result = await api(`/checkpoints/${c.id}/recreate`, { method: 'POST' });
            toast('Recreated: a new branch starts from this checkpoint');
            navigate(`#/c/${cid}/b/${result.branch.id}`);
          } catch (err) {
            toast(err.message, 'error');
          }
        },
      }, 'Recreate as branch'),
      h('button', {
        type: 'button', class: 'link danger',
        onClick: async () => {
          if (!(await confirmBox('Delete this checkpoint?'))) return;
          try {
            await api(`/checkpoints/${c.id}`, { method: 'DELETE' });
            checkpoints.splice(checkpoints.indexOf(c), 1);
            render(checkpoints);
          } catch (err) {
            toast(err.message, 'error');
          }
        },
      }, 'Delete')));
  render(checkpoints);
  return container;
}
