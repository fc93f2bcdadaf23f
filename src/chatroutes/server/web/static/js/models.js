// The model registry, read once per page load, and a <select> of the usable models.

import { api } from './api.js';
import { h } from './dom.js';

let cached = null;

export function models() {
  cached ??= api('/models').catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
}

export async function modelSelect(attrs, selected) {
  const { models: list, defaultModel } = await models();
  const usable = list.filter((m) => m.available);
  const pick = selected || defaultModel;
  return h('select', attrs, usable.map((m) => h('option', {
    value: m.id, selected: m.id === pick ? true : null,
  }, `${m.id} (${m.provider})`)));
}
