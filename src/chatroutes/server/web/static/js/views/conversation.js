// One conversation: the open branch's thread, streaming composer, message actions, and the
// side panels (tree graph, branches, checkpoints).

import { api, stream } from '../api.js';
import { ConversationData } from '../convdata.js';
import { h, mount, toast, field, navigate, fmtInt } from '../dom.js';
import { MarkdownStream, messageBody } from '../markdown.js';
import { models, modelSelect } from '../models.js';
import { refreshGuest } from '../session.js';
import { suggestionsBox } from './autobranch.js';
import { branchesPanel } from './branches.js';
import { checkpointsPanel, createCheckpoint } from './checkpoints.js';
import { temperatureInput } from './conversations.js';
import { runParallel } from './parallel.js';
import { conversationSidebar } from './sidebar.js';
import { treeGraph } from './tree.js';

const PENDING_KEY = 'chatroutes.pending'; // the reply being streamed, to resume after a reload
let following = null; // the AbortController of the stream this page follows

const pending = {
  get: () => JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null'),
  set: (value) => sessionStorage.setItem(PENDING_KEY, JSON.stringify(value)),
  clear: () => sessionStorage.removeItem(PENDING_KEY),
};

// How a reply that did not finish ended (its metadata.finishReason), as the thread marks it.
const ENDINGS = { stopped: 'Stopped', interrupted: 'Interrupted', error: 'Cut off by an error' };

function messageItem(message, { inherited, colour, actions, ending }) {
  const who = message.role === 'user' ? 'You' : (message.model || 'Assistant');
  return h('li', {
    class: `msg ${message.role}${inherited ? ' inherited' : ''}`, id: `m-${message.id}`,
    'data-message-id': message.id, style: `--branch:${colour}`,
  },
  h('div', { class: 'msg-head' }, h('span', { class: 'role' }, who),
    inherited ? h('span', { class: 'muted small' }, 'inherited context') : null,
    ENDINGS[ending] ? h('span', { class: `ending ${ending}` }, ENDINGS[ending]) : null),
  messageBody(message.role, message.content),
  actions ? h('div', { class: 'msg-actions', role: 'group', 'aria-label': 'Message actions' }, actions) : null);
}

class ConversationView {
  constructor(main, cid, branchId) {
    this.main = main;
    this.cid = cid;
    this.branchId = branchId;
    this.sidePanel = 'tree';
  }

  get branch() {
    return this.data.branch(this.branchId);
  }

  async load() {
    [this.data, this.sidebar] = await Promise.all([
      ConversationData.load(this.cid), conversationSidebar(this.cid),
    ]);
    await this.render();
    this.resume();
  }

  async reload(branchId = this.branch.id) {
    if (branchId !== this.branch.id) {
      navigate(`#/c/${this.cid}/b/${branchId}`);
      return;
    }
    this.data = await ConversationData.load(this.cid);
    this.sidebar.picker.load().catch(() => {}); // its counts and order changed too
    await this.render();
  }

  async render() {
    const { conversation } = this.data;
    const branch = this.branch;
    // The tree leaves out metadata: how each reply on this path ended comes from the messages.
    const { messages } = await api(`/conversations/${this.cid}/messages?branchId=${encodeURIComponent(branch.id)}`);
    this.endings = new Map(messages.map((m) => [m.id, m.metadata?.finishReason]));
    this.thread = h('ol', { class: 'messages', 'aria-label': `Messages on ${branch.title}` });
    this.renderThread();
    this.parallelArea = h('div', { class: 'parallel-area' });
    this.side = h('div', { class: 'side-body' });
    mount(this.main, h('div', { class: 'conv-layout' }, this.sidebar.el, h('div', { class: 'conv' },
      h('div', { class: 'conv-head' },
        h('h1', {}, conversation.title),
        h('span', { class: 'chip', style: `--branch:${this.data.colour(branch.id)}` },
          h('span', { class: 'swatch', 'aria-hidden': 'true' }), branch.title),
        await this.settings()),
      h('div', { class: 'conv-body' },
        h('section', { class: 'thread', 'aria-label': 'Chat' },
          this.thread, this.parallelArea, await this.composer()),
        h('aside', { class: 'side', 'aria-label': 'Branches and checkpoints' }, this.tabs(), this.side)))));
    await this.showSide(this.sidePanel);
  }

  renderThread() {
    const branch = this.branch;
    const path = this.data.path(branch);
    const forkIndex = path.findIndex((m) => m.id === branch.forkPointMessageId);
    const items = path.map((m, i) => messageItem(m, {
      inherited: !branch.isMain && i <= forkIndex,
      colour: this.data.colour(m.branchInfo?.branchId),
      actions: this.actions(m),
      ending: this.endings.get(m.id),
    }));
    mount(this.thread, items.length ? items : h('li', { class: 'muted empty' }, 'Send the first message below.'));
  }

  actions(message) {
    const button = (label, onClick, extra = {}) => h('button', { type: 'button', class: 'link', onClick, ...extra }, label);
    return [
      button('Edit', () => this.edit(message)),
      message.role === 'assistant' && this.data.messages.has(message.parentMessageId)
        ? button('Regenerate', () => this.regenerate(message)) : null,
      button('Fork here', () => this.fork(message)),
      button('Checkpoint', () => this.checkpoint(message)),
      button('Suggest branches', (event) => this.suggest(message, event.target)),
    ];
  }

  async settings() {
    const { conversation } = this.data;
    const prompt = h('textarea', { name: 'systemPrompt', rows: 3 }, conversation.systemPrompt || '');
    const model = await modelSelect({ name: 'model' }, conversation.model);
    const temperature = temperatureInput(conversation.temperature);
    const form = h('form', { class: 'stack' },
      h('div', { class: 'row wrap' }, field('Default model', model), field('Temperature', temperature)),
      field('System prompt', prompt),
      h('button', { type: 'submit', class: 'secondary small' }, 'Save settings'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api(`/conversations/${this.cid}`, {
          method: 'PATCH',
          body: { model: model.value, temperature: Number(temperature.value), systemPrompt: prompt.value },
        });
        toast('Settings saved');
        await this.reload();
      } catch (err) {
        toast(err.message, 'error');
      }
    });
    return h('details', { class: 'settings' }, h('summary', {}, 'Settings'), form);
  }

  async composer() {
    const { conversation } = this.data;
    const text = h('textarea', {
      name: 'content', rows: 3, required: true, placeholder: 'Message (Ctrl+Enter to send)', 'aria-label': 'Message',
    });
    this.modelPick = await modelSelect({ name: 'model', 'aria-label': 'Model' }, conversation.model);
    this.temperature = temperatureInput(conversation.temperature);
    this.temperature.setAttribute('aria-label', 'Temperature');
    const { models: list } = await models();
    const multi = h('fieldset', { class: 'model-picks', hidden: true },
      h('legend', {}, 'Models to compare'),
      list.filter((m) => m.available).slice(0, 8).map((m, i) => h('label', { class: 'pick' },
        h('input', { type: 'checkbox', name: 'models', value: m.id, checked: i < 2 }), ` ${m.id}`)));
    const several = h('input', {
      type: 'checkbox', id: 'several', onChange: () => { multi.hidden = !several.checked; },
    });
    this.sendButton = h('button', { type: 'submit', class: 'primary' }, 'Send');
    this.stopButton = h('button', {
      type: 'button', class: 'danger', hidden: true, onClick: () => this.stop(),
    }, 'Stop');
    const form = h('form', { class: 'composer', 'aria-label': 'Send a message' },
      text,
      h('div', { class: 'row wrap composer-bar' },
        h('label', { class: 'inline' }, 'Model ', this.modelPick),
        h('label', { class: 'inline' }, 'Temp ', this.temperature),
        h('label', { class: 'inline', for: 'several' }, several, ' Several models'),
        h('div', { class: 'spacer' }), this.stopButton, this.sendButton),
      multi);
    const submit = async () => {
      const content = text.value.trim();
      if (!content || this.busy) return;
      text.value = '';
      if (several.checked) {
        const chosen = [...form.querySelectorAll('input[name=models]:checked')].map((c) => c.value);
        await this.parallel(content, chosen);
      } else {
        await this.send({ content });
      }
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    text.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });
    return form;
  }

  set busy(on) {
    this._busy = on;
    this.sendButton.disabled = on;
    this.stopButton.hidden = !on;
    this.stopButton.disabled = false;
  }

  get busy() {
    return Boolean(this._busy);
  }

  /** A streamed send on the open branch; with parentMessageId, a fork there. */
  async send(body) {
    const branch = this.branch;
    const empty = this.thread.querySelector('.empty');
    if (empty) empty.remove();
    if (!body.parentMessageId) {
      this.thread.append(messageItem({ id: 'new-question', role: 'user', content: body.content }, {
        colour: this.data.colour(branch.id),
      }));
    }
    await this.sendOn(branch.id, body);
  }

  /** Stream the reply to `body` on a branch, with the composer's model and temperature. */
  async sendOn(branchId, body) {
    const request = { ...body, model: this.modelPick.value };
    if (this.temperature.value !== '') request.temperature = Number(this.temperature.value);
    await this.follow(`/conversations/${this.cid}/branches/${branchId}/messages/stream`, request);
  }

  /** Stop: the server ends the reply where it is and stores it; the stream then ends. */
  async stop() {
    const replyId = pending.get()?.replyId;
    if (!replyId) { // no event yet, so no reply id: just stop following
      following?.abort();
      return;
    }
    this.stopButton.disabled = true;
    try {
      await api(`/conversations/${this.cid}/messages/${replyId}/stop`, { method: 'POST' });
    } catch (err) { // e.g. generating in another server process: at least stop following
      toast(err.message, 'error');
      following?.abort();
    }
  }

  /** Shows a reply as it streams (a new one, or one resumed after a reload). */
  async follow(path, body) {
    const bubble = messageItem({ id: 'streaming', role: 'assistant', content: '', model: this.modelPick?.value }, {
      colour: this.data.colour(this.branch.id),
    });
    bubble.classList.add('streaming');
    const out = bubble.querySelector('.msg-body');
    out.setAttribute('aria-live', 'polite');
    out.setAttribute('aria-busy', 'true');
    const shown = new MarkdownStream(out);
    this.thread.append(bubble);
    bubble.scrollIntoView({ block: 'end' });
    following?.abort();
    const controller = new AbortController();
    following = controller;
    this.busy = true;
    let complete = null;
    try {
      await stream(path, {
        body,
        signal: controller.signal,
        onEvent: ({ id, data }) => {
          if (id && !pending.get()) {
            pending.set({ conversationId: this.cid, replyId: id.slice(0, id.lastIndexOf(':')) });
          }
          if (data.type === 'content') shown.append(data.content);
          else if (data.type === 'complete') complete = data;
          else if (data.type === 'error') toast(data.message, 'error');
        },
      });
      pending.clear();
    } catch (err) {
      if (err.name === 'AbortError') {
        if (following === controller) {
          pending.clear();
          bubble.append(h('p', { class: 'muted small' }, 'Stopped following: the server still finishes and stores this reply.'));
        }
        return;
      }
      pending.clear();
      toast(err.message, 'error');
    } finally {
      shown.flush();
      out.removeAttribute('aria-busy');
      if (following === controller) {
        following = null;
        this.busy = false;
      }
    }
    refreshGuest().catch(() => {});
    if (complete) {
      const usage = complete.usage;
      if (usage) toast(`Reply: ${fmtInt(usage.totalTokens)} tokens`);
      await this.reload(complete.branchId || complete.message?.branchId || this.branch.id);
    } else {
      await this.reload();
    }
  }

  /** After a reload mid-stream: follow the reply that was streaming to its end. */
  resume() {
    const was = pending.get();
    if (!was || was.conversationId !== this.cid) return;
    if (this.data.messages.has(was.replyId)) {
      pending.clear();
      return;
    }
    this.follow(`/conversations/${this.cid}/messages/${was.replyId}/stream`);
  }

  async parallel(content, chosen) {
    if (!chosen.length) {
      toast('Pick at least one model', 'error');
      return;
    }
    this.busy = true;
    try {
      await runParallel({
        cid: this.cid, branchId: this.branch.id, content, models: chosen, area: this.parallelArea,
        onChosen: (branchId) => this.reload(branchId),
      });
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      this.busy = false;
      refreshGuest().catch(() => {});
    }
  }

  edit(message) {
    const item = this.thread.querySelector(`[data-message-id="${message.id}"]`);
    const body = item.querySelector('.msg-body');
    const input = h('textarea', { rows: 3, 'aria-label': 'Edited message' }, message.content);
    const save = async () => {
      const content = input.value.trim();
      if (!content) return;
      try {
        if (message.role === 'user' && message.parentMessageId) {
          // A new version of the question on its own branch, answered there.
          await this.send({ content, parentMessageId: message.parentMessageId });
        } else if (message.role === 'user') {
          await this.answerAnew(message, content);
        } else {
          const data = await api(`/messages/${message.id}`, { method: 'PATCH', body: { content } });
          toast(data.branch ? 'Edited: the new version is on its own branch' : 'Edited');
          await this.reload(data.branch?.id || this.branch.id);
        }
      } catch (err) {
        toast(err.message, 'error');
      }
    };
    body.replaceWith(h('div', { class: 'stack' }, input, h('div', { class: 'row' },
      h('button', { type: 'button', class: 'primary small', onClick: save }, 'Save version'),
      h('button', { type: 'button', class: 'ghost small', onClick: () => this.renderThread() }, 'Cancel'))));
    input.focus();
  }

  /** The question again from its parent: a sibling branch with a fresh reply. */
  async regenerate(reply) {
    const question = this.data.messages.get(reply.parentMessageId);
    try {
      if (question.parentMessageId) {
        await this.send({ content: question.content, parentMessageId: question.parentMessageId });
      } else {
        await this.answerAnew(question, question.content, 'Regenerated');
      }
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  /**
   * A first question has no parent to send from: a new version of it (PATCH) starts a
   * branch of its own from the root, and sending the same text there answers that version.
   */
  async answerAnew(question, content, title) {
    const { branch } = await api(`/messages/${question.id}`, { method: 'PATCH', body: { content } });
    if (branch && title) {
      await api(`/conversations/${this.cid}/branches/${branch.id}`, { method: 'PATCH', body: { title } });
    }
    await this.sendOn(branch?.id || this.branch.id, { content });
  }

  async fork(message) {
    try {
      const { branch } = await api(`/conversations/${this.cid}/fork`, {
        method: 'POST', body: { forkPointMessageId: message.id, title: `Fork at “${message.content.slice(0, 30)}”` },
      });
      toast(`Branch "${branch.title}" created`);
      refreshGuest().catch(() => {});
      navigate(`#/c/${this.cid}/b/${branch.id}`);
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async checkpoint(message) {
    try {
      await createCheckpoint(this.cid, this.branch.id, message.id);
      await this.showSide('checkpoints');
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  async suggest(message, button) {
    const item = button.closest('.msg');
    item.querySelector('.suggestions')?.remove();
    try {
      item.append(await suggestionsBox(this.cid, message, () => this.showSide('branches', true)));
    } catch (err) {
      toast(err.message, 'error');
    }
  }

  tabs() {
    const tab = (id, label) => h('button', {
      type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': 'side-panel',
      'aria-selected': String(this.sidePanel === id), onClick: () => this.showSide(id),
    }, label);
    this.tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Panels' },
      tab('tree', 'Tree'), tab('branches', 'Branches'), tab('checkpoints', 'Checkpoints'));
    this.tabList.addEventListener('keydown', (event) => { // arrow keys move between tabs
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const tabs = [...this.tabList.querySelectorAll('[role=tab]')];
      const next = tabs[(tabs.indexOf(document.activeElement) + step + tabs.length) % tabs.length];
      next.focus();
      next.click();
    });
    return this.tabList;
  }

  async showSide(id, refresh = false) {
    this.sidePanel = id;
    if (refresh) this.data = await ConversationData.load(this.cid);
    this.tabList.querySelectorAll('[role=tab]').forEach((t) => {
      t.setAttribute('aria-selected', String(t.id === `tab-${id}`));
    });
    this.side.id = 'side-panel';
    this.side.setAttribute('role', 'tabpanel');
    this.side.setAttribute('aria-labelledby', `tab-${id}`);
    let panel;
    if (id === 'tree') {
      panel = treeGraph(this.data, this.branch, (m) => navigate(`#/c/${this.cid}/b/${
        this.data.path(this.branch).some((p) => p.id === m.id) ? this.branch.id : m.branchInfo.branchId}`));
    } else if (id === 'branches') {
      panel = branchesPanel(this.data, this.branch, () => this.reload());
    } else {
      panel = await checkpointsPanel(this.data, this.branch);
    }
    mount(this.side, panel);
  }
}

export async function renderConversation(main, cid, branchId) {
  following?.abort();
  following = null;
  await new ConversationView(main, cid, branchId).load();
}
