// What sends cost: the next send's preview, token and price formats, and how far a budget
// is spent.

import { api } from './api.js';

// Past this many characters (URL-encoded) the text being typed is left out of the preview's
// query string (a request line must stay well under the server's limit); the gauge then
// shows the context alone and says so.
export const MAX_PREVIEW_QUERY_CHARS = 12_000;

const intFormat = new Intl.NumberFormat();
const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export function fmtTokens(n) {
  return `${intFormat.format(n ?? 0)} token${n === 1 ? '' : 's'}`;
}

/** 400000 → "400K": a context window at a glance. */
export function fmtCompact(n) {
  return compactFormat.format(n ?? 0);
}

/** A price in USD: cents for sums of a cent or more, four significant digits below. */
export function fmtUsd(n) {
  if (n === null || n === undefined) return 'no price';
  if (n === 0) return '$0';
  if (n >= 0.01) return `$${n.toFixed(n >= 100 ? 0 : 2)}`;
  if (n < 0.000001) return '<$0.000001';
  return `$${Number(n.toPrecision(2)).toString()}`;
}

/** A share as a percentage that never shows a non-zero share as 0%. */
export function fmtShare(fraction) {
  if (!fraction) return '0%';
  const percent = fraction * 100;
  if (percent < 0.01) return '<0.01%';
  if (percent < 1) return `${percent.toFixed(2)}%`;
  if (percent < 10) return `${percent.toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

/**
 * The next send on a branch (or, with forkPointMessageId, the first send of a fork there),
 * counted and priced by the server: GET …/branches/{branchId}/preview. A preview refused
 * by the rate limit fails at once (ApiError 429) instead of waiting: it is not worth it.
 */
export function preview(cid, branchId, { model, contextMode, forkPointMessageId, content, signal } = {}) {
  const query = new URLSearchParams();
  if (model) query.set('model', model);
  if (contextMode) query.set('contextMode', contextMode);
  if (forkPointMessageId) query.set('forkPointMessageId', forkPointMessageId);
  if (content) query.set('content', content);
  const qs = query.toString();
  return api(`/conversations/${cid}/branches/${branchId}/preview${qs ? `?${qs}` : ''}`, {
    signal, waitOnRateLimit: false,
  });
}

/** Whether `content` fits a preview's query string. */
export function previewable(content) {
  return encodeURIComponent(content).length <= MAX_PREVIEW_QUERY_CHARS;
}

/**
 * How far an owner's budget is spent: null without a budget; else each limit set (tokens,
 * cost) with what is spent of it, the largest fraction, and a level: `ok`, `warn` (at or
 * past warnAt) or `over` (spent).
 */
export function budgetState(budget, spent) {
  if (!budget) return null;
  const used = spent || { tokens: 0, cost: 0 };
  const parts = [];
  if (budget.maxTokens) parts.push({ kind: 'tokens', used: used.tokens || 0, limit: budget.maxTokens });
  if (budget.maxCost) parts.push({ kind: 'cost', used: used.cost || 0, limit: budget.maxCost });
  parts.forEach((p) => { p.fraction = p.used / p.limit; });
  const fraction = Math.max(0, ...parts.map((p) => p.fraction));
  const warnAt = budget.warnAt ?? 0.8;
  const level = fraction >= 1 ? 'over' : fraction >= warnAt ? 'warn' : 'ok';
  return { parts, fraction, warnAt, level };
}

/** "10,000 tokens and $0.50" from a {maxTokens, maxCost} or {tokens, cost} pair. */
export function fmtAmounts(tokens, cost) {
  const out = [];
  if (tokens !== null && tokens !== undefined) out.push(fmtTokens(tokens));
  if (cost !== null && cost !== undefined) out.push(fmtUsd(cost));
  return out.join(' and ') || 'no limit';
}

export function budgetName(kind) {
  return kind === 'conversation' ? 'conversation budget' : 'branch budget';
}

/** The sentence a send refused with 402 BUDGET_EXCEEDED shows. */
export function describeRefusal(details) {
  const limit = details.limit || {};
  const spent = details.spent || {};
  return `Not sent: the ${budgetName(details.budget)} has too little left for another reply. `
    + `Its limit is ${fmtAmounts(limit.maxTokens, limit.maxCost)}; `
    + `spent so far ${fmtAmounts(limit.maxTokens != null ? spent.tokens : null, limit.maxCost != null ? spent.cost : null)}.`;
}

/** The sentence a reply's metadata.budgetWarning (or the stream's warning) shows. */
export function describeWarning(warning) {
  const limit = warning.limit || {};
  const spent = warning.spent || {};
  return `${fmtShare(warning.fraction)} of the ${budgetName(warning.budget)} used: `
    + `${fmtAmounts(limit.maxTokens != null ? spent.tokens : null, limit.maxCost != null ? spent.cost : null)} `
    + `of ${fmtAmounts(limit.maxTokens, limit.maxCost)}.`;
}

/** The context modes a branch sends with, and what each sends of the path before the fork. */
export const CONTEXT_MODES = [
  { id: 'FULL', label: 'Full', hint: 'the whole path' },
  { id: 'PARTIAL', label: 'Partial', hint: 'the last messages before the fork, and the branch’s own' },
  { id: 'MINIMAL', label: 'Minimal', hint: 'the fork point, and the branch’s own' },
  { id: 'NONE', label: 'None', hint: 'only the branch’s own messages' },
];
