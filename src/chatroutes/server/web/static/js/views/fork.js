// The fork dialog: a new branch from a message, with the cost of its first send in each
// context mode (one preview per mode) to choose from, and a budget of its own.

import { api } from '../api.js';
import { h, field, mount } from '../dom.js';
import { CONTEXT_MODES, fmtCompact, fmtShare, fmtTokens, fmtUsd, preview } from '../cost.js';
import { budgetFields, budgetOf } from './budget.js';

function modeOption(mode, checked) {
  const cost = h('span', { class: 'mode-cost muted' }, 'counting…');
  const fill = h('span', { class: 'gauge-fill' });
  const bar = h('span', { class: 'gauge-bar small', 'aria-hidden': 'true' }, fill);
  const input = h('input', { type: 'radio', name: 'contextMode', value: mode.id, checked: checked ? true : null });
  const row = h('label', { class: 'mode-option', 'data-mode': mode.id },
    input,
    h('span', { class: 'mode-text' }, h('strong', {}, mode.label), h('span', { class: 'muted small' }, mode.hint)),
    h('span', { class: 'mode-figures' }, cost, bar));
  return { row, cost, fill, mode };
}

/**
 * Ask for the fork's title, context mode and budget, showing each mode's first-send cost
 * with `model`; create it (POST …/branches). Resolves with the new branch, or null.
 */
export function forkDialog({ cid, branchId, message, model }) {
  return new Promise((resolve) => {
    const options = CONTEXT_MODES.map((m) => modeOption(m, m.id === 'FULL'));
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { method: 'dialog', class: 'stack' },
      h('h2', {}, 'Fork from this message'),
      h('blockquote', { class: 'fork-quote' }, message.content.slice(0, 160) + (message.content.length > 160 ? '…' : '')),
      field('Title', h('input', {
        name: 'title', maxlength: 500, value: `Fork at “${message.content.slice(0, 30)}”`,
      })),
      h('fieldset', { class: 'modes' },
        h('legend', {}, 'Context of its first send'),
        h('p', { class: 'muted small' }, `With ${model}, before your next message is added:`),
        options.map((o) => o.row)),
      h('fieldset', { class: 'fork-budget' },
        h('legend', {}, 'Budget of the new branch (optional)'),
        ...budgetFields(null)),
      error,
      h('div', { class: 'row end' },
        h('button', { type: 'button', class: 'ghost', onClick: () => close(null) }, 'Cancel'),
        h('button', { type: 'submit', class: 'primary' }, 'Create fork')));
    const dlg = h('dialog', { class: 'modal fork-dialog', 'aria-label': 'Fork from this message' }, form);
    function close(value) {
      dlg.close();
      dlg.remove();
      resolve(value);
    }
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const values = Object.fromEntries(new FormData(form).entries());
      const body = {
        forkPointMessageId: message.id, contextMode: values.contextMode, title: values.title.trim() || null,
      };
      const budget = budgetOf(values);
      if (budget) body.budget = budget;
      try {
        const { branch } = await api(`/conversations/${cid}/branches`, { method: 'POST', body });
        close(branch);
      } catch (err) {
        mount(error, err.message);
      }
    });
    dlg.addEventListener('cancel', () => close(null));
    document.body.append(dlg);
    dlg.showModal();
    showCosts(cid, branchId, message.id, model, options);
  });
}

/** One preview per context mode, shown as they arrive; bars relative to the largest. */
async function showCosts(cid, branchId, messageId, model, options) {
  const results = await Promise.all(options.map(({ mode }) => preview(cid, branchId, {
    model, contextMode: mode.id, forkPointMessageId: messageId,
  }).catch((err) => ({ error: err.message }))));
  const largest = Math.max(1, ...results.map((r) => r.promptTokens || 0));
  results.forEach((data, i) => {
    const { row, cost, fill } = options[i];
    if (data.error) {
      mount(cost, data.error);
      return;
    }
    row.dataset.promptTokens = String(data.promptTokens);
    fill.style.width = `${(data.promptTokens / largest) * 100}%`;
    mount(cost,
      h('span', { class: 'mode-tokens' }, fmtTokens(data.promptTokens)),
      ' · ', data.estimatedCost === null ? 'no price' : fmtUsd(data.estimatedCost),
      h('span', { class: 'sr-only' }, `, ${fmtShare(data.promptTokens / data.contextWindow)} of ${fmtCompact(data.contextWindow)}`));
    cost.classList.remove('muted');
  });
}
