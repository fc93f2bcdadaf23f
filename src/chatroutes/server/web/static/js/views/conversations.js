// The home page: the conversation list (views/sidebar.js), and a new conversation with a
// model, system prompt and temperature.

import { api } from '../api.js';
import { h, mount, field, navigate, toast } from '../dom.js';
import { modelSelect } from '../models.js';
import { conversationPicker } from './sidebar.js';

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

export async function renderConversations(main) {
  const picker = conversationPicker();
  const [form] = await Promise.all([createForm(), picker.load()]);
  mount(main, h('div', { class: 'page two-col' },
    h('section', { class: 'stack' }, h('h1', {}, 'Conversations'), picker.el),
    form));
}
