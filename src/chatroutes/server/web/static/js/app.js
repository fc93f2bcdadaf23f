// The shell: top bar, theme, guest meter and the hash router (#/c/<id>, #/usage, #/keys …).

import { auth, notices } from './api.js';
import { h, s as svg, mount, toast, fmtInt, dialog, field, navigate } from './dom.js';
import { keepMyWork, signOut } from './session.js';
import { renderAuth } from './views/auth.js';
import { renderConversations } from './views/conversations.js';
import { renderConversation } from './views/conversation.js';
import { renderCompare } from './views/compare.js';
import { renderUsage } from './views/usage.js';
import { renderKeys } from './views/keys.js';

const THEME_KEY = 'chatroutes.theme';

function applyTheme(theme) {
  if (theme) document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

function currentTheme() {
  return document.documentElement.dataset.theme
    || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
}

function themeButton() {
  const dark = currentTheme() === 'dark';
  return h('button', {
    class: 'ghost icon', type: 'button', 'aria-pressed': String(dark),
    'aria-label': 'Dark theme', title: 'Toggle dark theme',
    onClick: () => {
      const next = currentTheme() === 'dark' ? 'light' : 'dark';
      localStorage.setItem(THEME_KEY, next);
      applyTheme(next);
      renderTopbar();
    },
  }, dark ? '☾' : '☀');
}

function meter(label, used, limit) {
  if (limit === null || limit === undefined) return null;
  const left = Math.max(limit - (used || 0), 0);
  return h('span', { class: `meter${left === 0 ? ' empty' : ''}`, title: `${label}: ${used || 0} of ${limit} used` },
    h('meter', { min: 0, max: limit, value: used || 0, 'aria-label': `${label} used` }),
    ` ${fmtInt(left)} ${label} left`);
}

async function convertGuest() {
  const values = await dialog('Keep my work: create your account', [
    field('Email', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'email' })),
    field('Password', h('input', {
      name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password',
    }), 'At least 8 characters'),
    field('Name (optional)', h('input', { name: 'name', autocomplete: 'name' })),
  ], 'Create account');
  if (!values) return;
  try {
    await keepMyWork(values.email, values.password, values.name);
    toast('Account created: your conversations are kept.');
  } catch (err) {
    toast(err.message, 'error');
  }
}

function guestBar() {
  const guest = auth.state?.guest;
  const limits = guest?.limits || {};
  const used = guest?.used || {};
  return h('div', { class: 'guest-bar', 'aria-label': 'Guest session limits' },
    h('strong', {}, 'Guest'),
    meter('messages', used.messages, limits.messages),
    meter('tokens', used.tokens, limits.tokens),
    meter('branches', used.branches, limits.branches),
    h('button', { class: 'primary small', type: 'button', onClick: convertGuest }, 'Keep my work'));
}

function renderTopbar() {
  const bar = document.getElementById('topbar');
  const user = auth.user;
  const here = location.hash || '#/';
  const link = (href, text) => h('a', {
    href, 'aria-current': here === href || (href === '#/' && here.startsWith('#/c/')) ? 'page' : null,
  }, text);
  mount(bar,
    h('a', { class: 'brand', href: '#/' }, logo(), 'ChatRoutes'),
    user ? h('nav', { 'aria-label': 'Main' },
      link('#/', 'Conversations'), link('#/usage', 'Usage'), link('#/keys', 'API keys')) : null,
    h('div', { class: 'spacer' }),
    user?.isGuest ? guestBar() : null,
    user && !user.isGuest ? h('span', { class: 'muted who' }, user.email) : null,
    user ? h('button', {
      class: 'ghost small', type: 'button', onClick: () => signOut(),
    }, 'Sign out') : null,
    themeButton());
}

/** A fork: one stem, two branches. */
function logo() {
  return svg('svg', { viewBox: '0 0 24 24', width: 22, height: 22, 'aria-hidden': 'true', class: 'logo' },
    svg('path', { d: 'M6 3v7c0 3 2 4 6 4s6 1 6 4v3M6 10v11', fill: 'none', stroke: 'currentColor', 'stroke-width': 2.4, 'stroke-linecap': 'round' }));
}

function parse(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  return parts;
}

let routeSeq = 0;

/** Renders the page for the hash into a fresh outlet, shown only if no later route began. */
async function route() {
  renderTopbar();
  const seq = ++routeSeq;
  const main = document.getElementById('main');
  main.setAttribute('aria-busy', 'true');
  const outlet = h('div', { class: 'outlet' });
  await render(outlet, parse(location.hash));
  if (seq === routeSeq) {
    mount(main, outlet);
    main.removeAttribute('aria-busy');
    document.dispatchEvent(new Event('route:shown'));
  }
}

async function render(main, parts) {
  if (!auth.signedIn) {
    renderAuth(main, parts[0] === 'signup' ? 'signup' : 'signin');
    return;
  }
  try {
    if (parts[0] === 'c' && parts[2] === 'compare') {
      await renderCompare(main, parts[1], parts[3], parts[4]);
    } else if (parts[0] === 'c' && parts[1]) {
      await renderConversation(main, parts[1], parts[2] === 'b' ? parts[3] : null);
    } else if (parts[0] === 'usage') {
      await renderUsage(main);
    } else if (parts[0] === 'keys') {
      await renderKeys(main);
    } else {
      await renderConversations(main);
    }
  } catch (err) {
    mount(main, h('div', { class: 'pad' }, h('h1', {}, 'Something went wrong'),
      h('p', { role: 'alert' }, err.message)));
  }
}

applyTheme(localStorage.getItem(THEME_KEY));
notices.rateLimited = (seconds) => toast(`Rate limit reached: retrying in ${seconds}s`, 'warn');
auth.onChange((state) => {
  renderTopbar();
  if (!state) navigate('#/'); // signed out, or the session could not be refreshed
});
window.addEventListener('hashchange', route);
route();
