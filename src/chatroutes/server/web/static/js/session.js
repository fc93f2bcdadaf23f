// Sign-up, sign-in, sign-out, guest sessions and their conversion, over /auth.

import { api, auth } from './api.js';

function remember(data, guest = null) {
  auth.set({ user: data.user, tokens: data.tokens, guest });
}

export async function signUp(email, password, name) {
  remember(await api('/auth/register', { method: 'POST', body: { email, password, name: name || null } }));
}

export async function signIn(email, password) {
  remember(await api('/auth/login', { method: 'POST', body: { email, password } }));
}

export async function startGuest() {
  const data = await api('/auth/guest', { method: 'POST' });
  remember(data, { ...data.guest, used: { messages: 0, branches: 0, tokens: 0 } });
}

/** "Keep my work": the guest's account becomes a full one; its conversations stay. */
export async function keepMyWork(email, password, name) {
  const data = await api('/auth/guest/convert', {
    method: 'POST', body: { email, password, name: name || null },
  });
  remember(data);
}

export async function signOut() {
  const refreshToken = auth.state?.tokens?.refreshToken;
  try {
    if (refreshToken) await api('/auth/logout', { method: 'POST', body: { refreshToken } });
  } finally {
    auth.set(null);
  }
}

/** Re-read how much of its caps a guest session has used. */
export async function refreshGuest() {
  if (!auth.user?.isGuest) return;
  const status = await api('/auth/guest');
  auth.update({ guest: status });
}
