// The composer's context gauge: the next send previewed as it is typed (GET …/preview): its
// prompt's tokens, their share of the model's context window as a bar, and its estimated
// cost; what the context holds (messages, checkpoint, pins, exclusions) underneath.

import { h, mount } from '../dom.js';
import {
  CONTEXT_MODES, budgetName, budgetState, fmtCompact, fmtShare, fmtTokens, fmtUsd, preview, previewable,
} from '../cost.js';

const DEBOUNCE_MS = 350;

/** The composer's context mode: the branch's, which the next send uses. */
export function contextModeSelect(branch, onChange) {
  const select = h('select', { name: 'contextMode', 'aria-label': 'Context mode' },
    CONTEXT_MODES.map((m) => h('option', {
      value: m.id, selected: m.id === branch.contextMode ? true : null, title: m.hint,
    }, m.label)));
  select.addEventListener('change', () => onChange(select.value));
  return select;
}

export class ContextGauge {
  /**
   * `inputs()`: the send being composed, {model, contextMode, content}.
   * `budgets()`: the budgets it would spend, [{kind: 'branch'|'conversation', budget, spent}].
   */
  constructor({ cid, branchId, inputs, budgets = () => [] }) {
    this.cid = cid;
    this.branchId = branchId;
    this.inputs = inputs;
    this.budgets = budgets;
    this.seq = 0;
    this.fill = h('span', { class: 'gauge-fill' });
    this.bar = h('span', {
      class: 'gauge-bar', role: 'meter', 'aria-label': 'Share of the context window',
      'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0,
    }, this.fill);
    this.figures = h('span', { class: 'gauge-figures' }, 'Counting the next send…');
    this.notes = h('span', { class: 'gauge-notes muted' });
    this.el = h('div', { class: 'gauge loading', role: 'group', 'aria-label': 'Next send' },
      h('div', { class: 'gauge-line' }, h('span', { class: 'gauge-label', 'aria-hidden': 'true' }, 'Next send'),
        this.bar, this.figures), this.notes);
  }

  /** Preview again once typing pauses, unless the send is still the one shown. */
  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (this.key() !== this.shownKey) this.refresh();
    }, DEBOUNCE_MS);
  }

  /** What a preview depends on, beyond the stored context. */
  key() {
    const { model, contextMode, content } = this.inputs();
    return JSON.stringify([model, contextMode, (content || '').trim()]);
  }

  /** Preview now; a later call supersedes one still in flight. */
  async refresh() {
    clearTimeout(this.timer);
    const seq = ++this.seq;
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const { model, contextMode, content } = this.inputs();
    const key = this.key();
    const text = (content || '').trim();
    const withText = text && previewable(text);
    this.el.classList.add('loading');
    try {
      const data = await preview(this.cid, this.branchId, {
        model, contextMode, content: withText ? text : null, signal: controller.signal,
      });
      if (seq !== this.seq) return;
      this.shownKey = key;
      this.show(data, { textLeftOut: Boolean(text) && !withText });
    } catch (err) {
      if (err.name === 'AbortError' || seq !== this.seq) return;
      this.shownKey = null;
      this.el.removeAttribute('data-prompt-tokens');
      this.fill.style.width = '0';
      mount(this.figures, err.status === 429
        ? 'Preview paused: too many requests this minute; it resumes as you type'
        : `Preview unavailable: ${err.message}`);
      mount(this.notes);
    } finally {
      if (seq === this.seq) this.el.classList.remove('loading');
    }
  }

  show(data, { textLeftOut }) {
    const share = data.contextWindow ? data.promptTokens / data.contextWindow : 0;
    const level = data.truncated || share >= 0.8 ? 'full' : share >= 0.5 ? 'high' : 'ok';
    this.el.dataset.promptTokens = String(data.promptTokens);
    this.el.dataset.model = data.model;
    this.el.dataset.contextMode = data.contextMode;
    this.el.dataset.level = level;
    this.fill.style.width = `${Math.min(share * 100, 100)}%`;
    this.bar.setAttribute('aria-valuenow', (share * 100).toFixed(2));
    this.bar.setAttribute('aria-valuetext', `${fmtShare(share)} of ${fmtCompact(data.contextWindow)} tokens`);
    mount(this.figures,
      h('strong', { class: 'gauge-tokens' }, fmtTokens(data.promptTokens)),
      h('span', { class: 'gauge-share' }, `${fmtShare(share)} of ${fmtCompact(data.contextWindow)}`),
      h('span', { class: 'gauge-cost', title: 'The prompt’s price; the reply adds its own' },
        data.estimatedCost === null ? 'no price known' : `≈ ${fmtUsd(data.estimatedCost)}`));
    const notes = [
      `${data.contextMessageCount} message${data.contextMessageCount === 1 ? '' : 's'} in context`,
      data.contextMode !== 'FULL' ? `${data.contextMode.toLowerCase()} context` : null,
      data.checkpointUsed ? 'checkpoint summary' : null,
      data.pinnedMessageIds.length ? `${data.pinnedMessageIds.length} pinned` : null,
      data.excludedMessageIds.length ? `${data.excludedMessageIds.length} excluded` : null,
      data.truncated ? h('span', { class: 'warn-text' }, 'oldest turns left out to fit') : null,
      textLeftOut ? 'your long message is counted when sent' : null,
      ...this.budgetNotes(data),
    ].filter(Boolean);
    mount(this.notes, notes.flatMap((note, i) => {
      const item = typeof note === 'string' ? h('span', {}, note) : note;
      return i ? [' · ', item] : [item];
    }));
  }

  /** A budget the send would not fit in, or one past its warning level. */
  budgetNotes(data) {
    return this.budgets().map(({ kind, budget, spent }) => {
      const state = budgetState(budget, spent);
      if (!state) return null;
      const tokensLeft = budget.maxTokens ? budget.maxTokens - (spent?.tokens || 0) : null;
      const costLeft = budget.maxCost ? budget.maxCost - (spent?.cost || 0) : null;
      const tooBig = (tokensLeft !== null && data.promptTokens > tokensLeft)
        || (costLeft !== null && data.estimatedCost !== null && data.estimatedCost > costLeft);
      if (state.level === 'over' || tooBig) {
        const left = [tokensLeft !== null ? fmtTokens(Math.max(tokensLeft, 0)) : null,
          costLeft !== null ? fmtUsd(Math.max(costLeft, 0)) : null].filter(Boolean).join(', ');
        return h('span', { class: 'warn-text' }, `the ${budgetName(kind)} has ${left} left`);
      }
      if (state.level === 'warn') return h('span', { class: 'warn-text' }, `${fmtShare(state.fraction)} of the ${budgetName(kind)} used`);
      return null;
    });
  }
}
