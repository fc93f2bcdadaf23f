// The conversation list as a keyboard-driven listbox, in the sidebar of a conversation and on
// the home page: it filters as you type (at once among the titles shown, then the API's
// `search` over every title), ↑/↓ or j/k move, Enter opens, `/` focuses the search, Esc clears.

import { api } from '../api.js';
import { h, fmtDate, navigate, toast } from '../dom.js';

const LIMIT = 100; // the API's largest page
const SEARCH_DELAY_MS = 150;
const MOVES = { ArrowDown: 1, ArrowUp: -1, j: 1, k: -1 };

// Kept across pages: the search, and whether the list had the focus when a conversation
// was opened from it (the next page gives it back).
const kept = { query: '', refocus: false };

function editable(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

// `/` anywhere but in a field: the search of the list on the page.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || editable(event.target)) return;
  const search = document.querySelector('.conv-picker input[type=search]');
  if (!search) return;
  event.preventDefault();
  const folded = search.closest('.sidebar:not(.open)');
  if (folded) folded.querySelector('.sidebar-toggle').click();
  search.focus();
  search.select();
});

function optionId(cid) {
  return `conv-opt-${cid}`;
}

/**
 * The list and its search. `currentId`: the open conversation (marked, and active first);
 * `compact`: the sidebar's shorter rows. Call `load()` before showing it.
 */
export function conversationPicker({ currentId = null, compact = false } = {}) {
  const list = h('ul', {
    class: `conv-list${compact ? ' compact' : ''}`, role: 'listbox', id: 'conv-listbox',
    'aria-label': 'Conversations', tabindex: 0,
  });
  const search = h('input', {
    type: 'search', placeholder: 'Search titles   /', 'aria-label': 'Search conversations',
    'aria-controls': 'conv-listbox', maxlength: 200, autocomplete: 'off', value: kept.query,
  });
  const empty = h('p', { class: 'muted small', hidden: true, role: 'status' });
  const hint = h('p', { class: 'muted small keys-hint', id: 'conv-keys-hint' },
    h('kbd', {}, '↑'), h('kbd', {}, '↓'), ' or ', h('kbd', {}, 'j'), h('kbd', {}, 'k'), ' move · ',
    h('kbd', {}, 'Enter'), ' opens · ', h('kbd', {}, '/'), ' search · ', h('kbd', {}, 'Esc'), ' clears');
  list.setAttribute('aria-describedby', hint.id);
  let conversations = [];

  const options = () => [...list.querySelectorAll('[role=option]')].filter((o) => !o.closest('[hidden]'));
  const active = () => list.querySelector('[role=option][aria-selected=true]');

  function select(option, scroll = true) {
    list.querySelectorAll('[role=option][aria-selected=true]').forEach((o) => o.setAttribute('aria-selected', 'false'));
    if (!option) {
      list.removeAttribute('aria-activedescendant');
      search.removeAttribute('aria-activedescendant');
      return;
    }
    option.setAttribute('aria-selected', 'true');
    list.setAttribute('aria-activedescendant', option.id);
    search.setAttribute('aria-activedescendant', option.id);
    if (scroll) option.scrollIntoView({ block: 'nearest' });
  }

  function move(step) {
    const shown = options();
    if (!shown.length) return;
    const at = shown.indexOf(active());
    const next = at < 0 ? (step > 0 ? 0 : shown.length - 1) : Math.min(Math.max(at + step, 0), shown.length - 1);
    select(shown[next]);
  }

  function open() {
    const option = active();
    if (!option) return;
    kept.refocus = document.activeElement === list;
    navigate(option.getAttribute('href'));
  }

  function option(c) {
    const meta = compact
      ? `${c.totalMessages} messages · ${new Date(c.updatedAt).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}`
      : `${c.model || 'default model'} · ${c.totalMessages} messages · ${c.branchCount} branches · ${fmtDate(c.updatedAt)}`;
    return h('li', { role: 'none', class: 'conv-item', 'data-title': c.title.toLowerCase() },
      h('a', {
        role: 'option', id: optionId(c.id), href: `#/c/${c.id}`, tabindex: -1, 'aria-selected': 'false',
        'aria-current': c.id === currentId ? 'page' : null, // a click follows the link
      }, h('strong', { class: 'conv-title' }, c.title), h('span', { class: 'muted small' }, meta)));
  }

  function show(found, query) {
    const was = active()?.id;
    list.replaceChildren(...found.map(option));
    empty.textContent = query ? 'No conversation matches.' : 'No conversations yet: create one.';
    empty.hidden = found.length > 0;
    const byId = (id) => (id ? list.querySelector(`#${CSS.escape(id)}`) : null);
    select(byId(was) || byId(currentId && optionId(currentId)) || options()[0] || null, false);
  }

  /** Instant: hide the rows whose title lacks the query (the server's answer follows). */
  function filterShown(query) {
    const q = query.toLowerCase();
    for (const item of list.children) item.hidden = Boolean(q) && !item.dataset.title.includes(q);
    const shown = options();
    empty.textContent = 'No conversation matches.';
    empty.hidden = shown.length > 0 || !conversations.length;
    if (!shown.includes(active())) select(shown[0] || null);
  }

  let asked = 0;
  async function fetchList(query) {
    const mine = ++asked;
    const params = new URLSearchParams({ limit: String(LIMIT) });
    if (query) params.set('search', query);
    const found = (await api(`/conversations?${params}`)).conversations;
    if (mine !== asked) return; // a later search is on its way
    conversations = found;
    show(found, query);
  }

  let timer = null;
  search.addEventListener('input', () => {
    kept.query = search.value.trim();
    filterShown(kept.query);
    clearTimeout(timer);
    timer = setTimeout(() => fetchList(kept.query).catch((err) => toast(err.message, 'error')), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      move(MOVES[event.key]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open();
    } else if (event.key === 'Escape' && search.value) {
      event.preventDefault();
      search.value = '';
      search.dispatchEvent(new Event('input'));
    }
  });
  list.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (MOVES[event.key]) {
      event.preventDefault();
      move(MOVES[event.key]);
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      const shown = options();
      select(event.key === 'Home' ? shown[0] : shown[shown.length - 1]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      open();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      search.value = '';
      search.dispatchEvent(new Event('input'));
      search.focus();
    }
  });
  list.addEventListener('focus', () => {
    if (!active()) select(options()[0] || null);
    else active().scrollIntoView({ block: 'nearest' });
  });

  const el = h('div', { class: 'conv-picker stack' }, search, list, empty, hint);
  // Once on the page: the focus back on the list if a conversation was opened from it.
  document.addEventListener('route:shown', () => {
    if (!kept.refocus || !list.isConnected) return;
    kept.refocus = false;
    list.focus({ preventScroll: true });
  }, { once: true });
  return {
    el,
    async load() {
      await fetchList(kept.query);
    },
  };
}

/** The sidebar of a conversation page: the picker, a "New" link, folded on phones. */
export async function conversationSidebar(currentId) {
  const picker = conversationPicker({ currentId, compact: true });
  await picker.load();
  const body = h('div', { class: 'sidebar-body', id: 'sidebar-body' }, picker.el);
  const toggle = h('button', {
    type: 'button', class: 'ghost small sidebar-toggle', 'aria-label': 'Conversations',
    'aria-expanded': 'false', 'aria-controls': body.id,
  }, 'Conversations');
  const el = h('nav', { class: 'sidebar', 'aria-label': 'Conversation list' },
    h('div', { class: 'sidebar-head' },
      h('h2', { class: 'sidebar-title' }, 'Conversations'), toggle,
      h('a', { class: 'button small secondary', href: '#/' }, 'New')),
    body);
  toggle.addEventListener('click', () => {
    const open = el.classList.toggle('open');
    toggle.setAttribute('aria-expanded', String(open));
  });
  return { el, picker };
}
