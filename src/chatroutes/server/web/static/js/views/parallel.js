// Parallel responses: one question to several models, candidates streamed side by side.

import { api, stream } from '../api.js';
import { h, toast, fmtInt } from '../dom.js';
import { MarkdownStream, showMarkdown } from '../markdown.js';

/** Streams the candidates into `area`; onChosen(branchId) once the user picks one. */
export async function runParallel({ cid, branchId, content, models, area, onChosen }) {
  const columns = new Map();
  let sessionId = null;
  const grid = h('div', { class: 'candidates', role: 'group', 'aria-label': 'Parallel responses' });
  area.replaceChildren(h('h2', { class: 'small-title' }, 'Parallel responses'), grid);

  const choose = (candidateId) => async () => {
    try {
      const data = await api(`/response-sessions/${sessionId}/choose`, { method: 'POST', body: { candidateId } });
      area.replaceChildren();
      onChosen(data.branch?.id || data.message?.branchId || branchId);
    } catch (err) {
      toast(err.message, 'error');
    }
  };

  const column = (candidate) => {
    const body = h('div', { class: 'msg-body', 'aria-live': 'polite' });
    const shown = new MarkdownStream(body);
    shown.append(candidate.content || '');
    const status = h('span', { class: 'muted small' }, candidate.status);
    const button = h('button', { type: 'button', class: 'primary small', disabled: true, onClick: choose(candidate.id) },
      `Use ${candidate.model}`);
    const el = h('section', { class: 'card candidate', 'data-model': candidate.model, 'aria-label': candidate.model },
      h('div', { class: 'row' }, h('strong', {}, candidate.model), status), body, button);
    columns.set(candidate.id, { el, body, shown, status, button });
    return el;
  };

  const settle = (session) => {
    for (const c of session.candidates) {
      const col = columns.get(c.id);
      if (!col) continue;
      col.shown.text = c.content || '';
      col.shown.flush();
      col.status.textContent = c.status === 'complete'
        ? `${fmtInt(c.usage.totalTokens)} tokens · ${c.latencyMs ?? '?'} ms` : c.error || c.status;
      col.button.disabled = c.status !== 'complete' || Boolean(session.chosenCandidateId);
    }
  };

  await stream(`/conversations/${cid}/parallel-responses/stream`, {
    body: { content, models, branchId },
    onEvent: ({ data }) => {
      if (data.type === 'session') {
        sessionId = data.session.id;
        if (!columns.size) grid.append(...data.session.candidates.map(column));
        else settle(data.session);
      } else if (data.type === 'content') {
        const col = columns.get(data.candidateId);
        if (col) col.shown.append(data.content);
      } else if (data.type === 'error') {
        const col = columns.get(data.candidateId);
        if (col) col.status.textContent = data.message;
      }
    },
  });
}
