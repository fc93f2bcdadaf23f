// API keys: the account's keys, a new one shown once, revoke.

import { api, auth } from '../api.js';
import { h, mount, field, toast, fmtDate, confirmBox } from '../dom.js';

export async function renderKeys(main) {
  if (auth.user?.isGuest) {
    mount(main, h('div', { class: 'page stack' }, h('h1', {}, 'API keys'),
      h('p', {}, 'Guest sessions cannot hold API keys. Use "Keep my work" to create an account first.')));
    return;
  }
  const { apiKeys } = await api('/api-keys');
  const revealed = h('div', { 'aria-live': 'polite' });
  const name = h('input', { name: 'name', maxlength: 200, placeholder: 'e.g. laptop script' });
  const form = h('form', { class: 'card stack', 'aria-label': 'Create an API key' },
    h('h2', {}, 'Create a key'), field('Name (optional)', name),
    h('button', { type: 'submit', class: 'primary' }, 'Create key'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const { apiKey } = await api('/api-keys', { method: 'POST', body: { name: name.value || null } });
      await renderKeys(main);
      main.querySelector('.revealed-slot').replaceChildren(h('div', { class: 'card reveal', role: 'alert' },
        h('strong', {}, 'Copy your new key now: it is shown only once.'),
        h('code', { class: 'secret', tabindex: 0 }, apiKey.key)));
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  const revoke = (key) => async () => {
    if (!(await confirmBox(`Revoke key ${key.prefix}…?`))) return;
    try {
      await api(`/api-keys/${key.id}`, { method: 'DELETE' });
      toast('Key revoked');
      await renderKeys(main);
    } catch (err) {
      toast(err.message, 'error');
    }
  };
  const rows = apiKeys.map((k) => h('tr', {},
    h('td', {}, k.name || '—'), h('td', {}, h('code', {}, `${k.prefix}…`)),
    h('td', {}, fmtDate(k.createdAt)), h('td', {}, k.lastUsedAt ? fmtDate(k.lastUsedAt) : 'never'),
    h('td', {}, k.revokedAt ? `revoked ${fmtDate(k.revokedAt)}`
      : h('button', { type: 'button', class: 'link danger', onClick: revoke(k), 'aria-label': `Revoke ${k.prefix}` }, 'Revoke'))));
  revealed.classList.add('revealed-slot');
  mount(main, h('div', { class: 'page stack' },
    h('h1', {}, 'API keys'), revealed,
    h('div', { class: 'grid-2' },
      h('section', { class: 'card' }, h('table', {},
        h('caption', {}, 'Your keys'),
        h('thead', {}, h('tr', {}, ['Name', 'Key', 'Created', 'Last used', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No keys yet'))))),
      form)));
}
