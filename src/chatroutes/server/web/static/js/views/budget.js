// Budgets of a branch and of its conversation: meters of what is spent against the limits,
// the form that sets them, and what a send refused by a spent budget (402 BUDGET_EXCEEDED)
// or a reply past a budget's warning level shows.

import { api } from '../api.js';
import { h, dialog, field, fmtInt, toast } from '../dom.js';
import {
  budgetName, budgetState, describeRefusal, describeWarning, fmtAmounts, fmtShare, fmtTokens, fmtUsd,
} from '../cost.js';

/** Where an owner's budget is set: PATCH on the conversation or on one of its branches. */
function ownerPath(cid, kind, id) {
  return kind === 'conversation' ? `/conversations/${cid}` : `/conversations/${cid}/branches/${id}`;
}

/** The limit fields of a budget form (a fork's, or the budget dialog's). */
export function budgetFields(budget) {
  return [
    h('div', { class: 'row wrap budget-fields' },
      field('Max tokens', h('input', {
        name: 'maxTokens', type: 'number', min: 1, step: 1, inputmode: 'numeric',
        value: budget?.maxTokens ? String(budget.maxTokens) : '', placeholder: 'no limit',
      })),
      field('Max cost (USD)', h('input', {
        name: 'maxCost', type: 'number', min: 0.000001, step: 'any', inputmode: 'decimal',
        value: budget?.maxCost ? String(budget.maxCost) : '', placeholder: 'no limit',
      })),
      field('Warn at (%)', h('input', {
        name: 'warnAt', type: 'number', min: 1, max: 100, step: 1, inputmode: 'numeric',
        value: String(Math.round((budget?.warnAt ?? 0.8) * 100)),
      }))),
  ];
}

/** The budget a form's values ask for: null when both limits are empty. */
export function budgetOf(values) {
  const maxTokens = values.maxTokens ? Math.floor(Number(values.maxTokens)) : null;
  const maxCost = values.maxCost ? Number(values.maxCost) : null;
  if (maxTokens === null && maxCost === null) return null;
  const warnAt = values.warnAt ? Math.min(Math.max(Number(values.warnAt), 1), 100) / 100 : 0.8;
  return { maxTokens, maxCost, warnAt };
}

/**
 * The dialog that sets (or, with both limits left empty, removes) a budget, then saves it.
 * Resolves with the saved owner (conversation or branch), or null when cancelled.
 */
export async function editBudget(cid, kind, owner, ownerTitle, suggested = owner.budget) {
  const values = await dialog(`Budget of the ${kind} “${ownerTitle}”`, [
    h('p', { class: 'muted small' },
      `Spent so far: ${fmtAmounts(owner.spent?.tokens ?? 0, owner.spent?.cost ?? 0)}. `
      + 'A send past a limit is refused; leave both limits empty for no budget.'),
    ...budgetFields(suggested),
  ], 'Save budget');
  if (!values) return null;
  try {
    const data = await api(ownerPath(cid, kind, owner.id), { method: 'PATCH', body: { budget: budgetOf(values) } });
    toast(budgetOf(values) ? `The ${budgetName(kind)} is saved` : `The ${budgetName(kind)} is removed`);
    return data[kind] || data;
  } catch (err) {
    toast(err.message, 'error');
    return null;
  }
}

function meterBar(part, level) {
  const fill = h('span', { class: 'budget-fill' });
  fill.style.width = `${Math.min(part.fraction * 100, 100)}%`;
  const label = part.kind === 'tokens'
    ? `${fmtTokens(part.used)} of ${fmtTokens(part.limit)}`
    : `${fmtUsd(part.used)} of ${fmtUsd(part.limit)}`;
  return h('span', { class: 'budget-part' },
    h('span', {
      class: `budget-bar ${level}`, role: 'meter', 'aria-label': `${part.kind === 'tokens' ? 'Tokens' : 'Cost'} spent`,
      'aria-valuemin': 0, 'aria-valuemax': part.limit, 'aria-valuenow': part.used, 'aria-valuetext': label,
    }, fill),
    h('span', { class: 'budget-figure' }, label));
}

/**
 * A meter of one owner's budget: spent against each limit, in the warning colour past
 * warnAt and the danger colour once spent; without a budget, what is spent and a button
 * that sets one. Null when the server shows no spending (no budgets there).
 */
export function budgetMeter(cid, kind, owner, ownerTitle, onSaved) {
  if (!owner || !owner.spent) return null;
  const state = budgetState(owner.budget, owner.spent);
  const edit = async () => {
    const saved = await editBudget(cid, kind, owner, ownerTitle);
    if (saved) onSaved(saved);
  };
  const name = kind === 'conversation' ? 'Conversation' : 'Branch';
  const level = state?.level || 'none';
  return h('div', {
    class: `budget-meter ${level}`, role: 'group', 'aria-label': `${name} budget`, 'data-budget': kind,
  },
  h('span', { class: 'budget-name' }, name),
  state
    ? [state.parts.map((part) => meterBar(part, level)),
      state.level !== 'ok' ? h('span', { class: 'budget-state' }, state.level === 'over' ? 'spent' : `${fmtShare(state.fraction)} used`) : null]
    : h('span', { class: 'budget-figure muted' }, `${fmtAmounts(owner.spent.tokens, owner.spent.cost)} spent`),
  h('button', {
    type: 'button', class: 'link', onClick: edit, 'aria-label': `${state ? 'Edit' : 'Set'} the ${kind} budget`,
  }, state ? 'Edit' : 'Set budget'));
}

/**
 * What a send refused by a spent budget shows: which budget, its limit and what was spent,
 * and a button that raises it (the dialog starts from the limits doubled).
 */
export function refusalNotice(cid, details, { ownerOf, onRaised, onDismiss }) {
  const raise = async () => {
    const owner = ownerOf(details.budget, details.id);
    if (!owner) return;
    const limit = details.limit || {};
    const suggested = {
      maxTokens: limit.maxTokens ? limit.maxTokens * 2 : null,
      maxCost: limit.maxCost ? Number((limit.maxCost * 2).toPrecision(6)) : null,
      warnAt: owner.budget?.warnAt ?? 0.8,
    };
    const title = details.budget === 'conversation' ? 'this conversation' : owner.title;
    const saved = await editBudget(cid, details.budget, owner, title, suggested);
    if (saved) onRaised(saved);
  };
  return h('div', { class: 'budget-refusal', role: 'alert' },
    h('strong', {}, 'Budget reached'),
    h('p', {}, describeRefusal(details)),
    h('div', { class: 'row wrap' },
      h('button', { type: 'button', class: 'primary small', onClick: raise }, `Raise the ${budgetName(details.budget)}`),
      h('button', { type: 'button', class: 'ghost small', onClick: onDismiss }, 'Dismiss')));
}

/** The line under a reply whose send crossed a budget's warning level. */
export function warningLine(warning) {
  return h('p', { class: 'budget-warning', role: 'note' }, '⚠ ', describeWarning(warning));
}

/** A branch's spending in one short line, for lists: "1,204 tokens of 5,000 · 24%". */
export function spentSummary(owner) {
  if (!owner?.spent) return null;
  const state = budgetState(owner.budget, owner.spent);
  const text = state
    ? state.parts.map((p) => (p.kind === 'tokens'
      ? `${fmtTokens(p.used)} of ${fmtInt(p.limit)}`
      : `${fmtUsd(p.used)} of ${fmtUsd(p.limit)}`)).join(', ')
    : `${fmtAmounts(owner.spent.tokens, owner.spent.cost)} spent`;
  return h('span', { class: `spent-summary ${state?.level || 'none'}` }, text);
}
