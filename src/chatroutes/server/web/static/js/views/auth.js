// The landing page: sign in, sign up, or try without an account (a guest session).

import { h, mount, field, navigate } from '../dom.js';
import { signIn, signUp, startGuest } from '../session.js';

export function renderAuth(main, mode) {
  const error = h('p', { class: 'error', role: 'alert' });
  const busy = (form, on) => form.querySelectorAll('button').forEach((b) => { b.disabled = on; });

  async function attempt(form, action) {
    error.textContent = '';
    busy(form, true);
    try {
      await action();
      navigate('#/');
    } catch (err) {
      error.textContent = err.message;
    } finally {
      busy(form, false);
    }
  }

  const signup = mode === 'signup';
  const form = h('form', { class: 'stack', 'aria-label': signup ? 'Sign up' : 'Sign in' },
    field('Email', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'email' })),
    field('Password', h('input', {
      name: 'password', type: 'password', required: true,
      minlength: signup ? 8 : 1, autocomplete: signup ? 'new-password' : 'current-password',
    }), signup ? 'At least 8 characters' : null),
    signup ? field('Name (optional)', h('input', { name: 'name', autocomplete: 'name' })) : null,
    error,
    h('button', { class: 'primary', type: 'submit' }, signup ? 'Create account' : 'Sign in'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const v = Object.fromEntries(new FormData(form).entries());
    attempt(form, () => (signup ? signUp(v.email, v.password, v.name) : signIn(v.email, v.password)));
  });

  const guest = h('button', {
    class: 'secondary wide', type: 'button',
    onClick: (event) => attempt(event.target.closest('section'), startGuest),
  }, 'Try without an account');

  mount(main, h('div', { class: 'landing' },
    h('section', { class: 'hero' },
      h('h1', {}, 'Branch your conversations with LLMs'),
      h('p', {}, 'Explore alternatives without losing context: fork any message, compare branches '
        + 'side by side, checkpoint long threads, and see what every token costs.'),
      h('ul', { class: 'ticks' },
        h('li', {}, 'Real-time streaming from any configured model'),
        h('li', {}, 'A visual tree of every branch'),
        h('li', {}, 'Checkpoints, parallel responses, usage analytics'))),
    h('section', { class: 'card auth-card' },
      h('nav', { class: 'tabs', 'aria-label': 'Account' },
        h('a', { href: '#/signin', 'aria-current': signup ? null : 'page' }, 'Sign in'),
        h('a', { href: '#/signup', 'aria-current': signup ? 'page' : null }, 'Sign up')),
      form,
      h('div', { class: 'or' }, h('span', {}, 'or')),
      guest,
      h('p', { class: 'muted small' },
        'A guest session lasts 24 hours with a few messages, tokens and branches; '
        + '"Keep my work" turns it into an account.'))));
}
