// The conversation list: search, open, and create with a model, system prompt and temperature.

import { api } from '../api.js';
import { h, mount, field, fmtDate, navigate, toast } from '../dom.js';
import { modelSelect } from '../models.js';

export function temperatureInput(value = 0.7) {
  return h('input', {
    name: 'temperature', type: 'number', min: 0, max: 2, step: 0.1, value: String(value),
    inputmode: 'decimal',
  });
}

async function createForm() {
  const form = h('form', { class: 'card stack', 'aria-labelledby': 'new-conv-title' },
    h('h2', { id: 'new-conv-title' }, 'New conversation'),
    field('Title', h('input', { name: 'title', required: true, maxlength: 500, placeholder: 'What is it about?' })),
    h('div', { class: 'row wrap' },
      field('Model', await modelSelect({ name: 'model' })),
      field('Temperature', temperatureInput())),
    field('System prompt (optional)', h('textarea', { name: 'systemPrompt', rows: 3 })),
    h('button', { class: 'primary', type: 'submit' }, 'Create'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    try {
      const { conversation } = await api('/conversations', {
        method: 'POST',
        body: {
          title: v.title, model: v.model, temperature: Number(v.temperature),
          systemPrompt: v.systemPrompt || null,
        },
      });
      navigate(`#/c/${conversation.id}`);
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  return form;
}

function listItem(c) {
  return h('li', { class: 'conv-item' },
    h('a', { href: `#/c/${c.id}` }, h('strong', {}, c.title)),
    h('span', { class: 'muted small' },
      `${c.model || 'default model'} · ${c.totalMessages} messages · ${c.branchCount} branches · `
      + `${fmtDate(c.updatedAt)}`));
}

export async function renderConversations(main) {
  const [{ conversations }, form] = await Promise.all([
    api('/conversations?limit=100'), createForm(),
  ]);
  const list = h('ul', { class: 'conv-list', 'aria-label': 'Conversations' }, conversations.map(listItem));
  const empty = h('p', { class: 'muted', hidden: conversations.length > 0 ? true : null },
    'No conversations yet: create one.');
  // The server searches every conversation's title; the newest answer wins.
  let asked = 0;
  let timer = null;
  const runSearch = async () => {
    const q = search.value.trim();
    const mine = ++asked;
    try {
      const query = q ? `&search=${encodeURIComponent(q)}` : '';
      const found = (await api(`/conversations?limit=100${query}`)).conversations;
      if (mine !== asked) return;
      list.replaceChildren(...found.map(listItem));
      empty.textContent = q ? 'No conversation matches.' : 'No conversations yet: create one.';
      empty.hidden = found.length > 0;
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  const search = h('input', {
    type: 'search', placeholder: 'Search by title', 'aria-label': 'Search conversations',
    onInput: () => {
      clearTimeout(timer);
      timer = setTimeout(runSearch, 250);
    },
  });
  mount(main, h('div', { class: 'page two-col' },
    h('section', { class: 'stack' },
      h('h1', {}, 'Conversations'), search, list, empty),
    form));
}
