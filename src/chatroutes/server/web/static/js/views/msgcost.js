// Each message's cost and say in the context: token and price badges, the pinned and
// excluded marks, and the toggles that set them (PATCH /messages/{id}/context).

import { api } from '../api.js';
import { h, toast } from '../dom.js';
import { fmtTokens, fmtUsd } from '../cost.js';
import { warningLine } from './budget.js';

/**
 * The badges of a message: a question's estimated tokens; a reply's prompt and reply tokens
 * and price (from its metadata); pinned or excluded.
 */
export function messageBadges(message) {
  const meta = message.metadata || {};
  const badges = [];
  if (message.role === 'assistant' && meta.completionTokens !== undefined) {
    const prompt = meta.prompt_tokens ?? meta.promptTokens;
    badges.push(h('span', {
      class: 'cost-badge', title: 'Tokens sent as the prompt of this reply, and tokens of the reply',
    }, `${fmtTokens(prompt)} in · ${fmtTokens(meta.completionTokens)} out`));
    if (meta.cost !== undefined && meta.cost !== null) {
      badges.push(h('span', { class: 'cost-badge price', title: 'What this reply cost' }, fmtUsd(meta.cost)));
    }
  } else if (message.tokenCount) {
    badges.push(h('span', { class: 'cost-badge', title: 'Tokens of this message' }, fmtTokens(message.tokenCount)));
  }
  if (message.pinned) badges.push(h('span', { class: 'flag pinned', title: 'Always in the context of later sends' }, 'Pinned'));
  if (message.excluded) badges.push(h('span', { class: 'flag excluded', title: 'Never sent to a model' }, 'Excluded'));
  return h('span', { class: 'msg-badges' }, badges);
}

/** A reply's budget warning, when its send crossed a budget's warning level. */
export function messageNotes(message) {
  const warning = message.metadata?.budgetWarning;
  return warning ? warningLine(warning) : null;
}

/**
 * Pin and Exclude toggles; `onChange(message, label)` gets the message as saved and the
 * toggle used. A message is never both: turning one on turns the other off.
 */
export function contextToggles(message, onChange) {
  const set = async (body, label) => {
    try {
      const data = await api(`/messages/${message.id}/context`, { method: 'PATCH', body });
      onChange(data.message, label);
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  const toggle = (label, on, body, title) => h('button', {
    type: 'button', class: 'link toggle', 'aria-pressed': String(Boolean(on)), 'data-toggle': label, title,
    onClick: () => set(body, label),
  }, label);
  return [
    toggle('Pin', message.pinned,
      message.pinned ? { pinned: false } : { pinned: true, excluded: false },
      message.pinned ? 'Unpin: sent only when the context mode and checkpoints keep it' : 'Pin: always in the context of later sends'),
    toggle('Exclude', message.excluded,
      message.excluded ? { excluded: false } : { excluded: true, pinned: false },
      message.excluded ? 'Include it again in later sends' : 'Exclude: never send it to a model'),
  ];
}
