// Replies as Markdown: markdown-it (raw HTML off) → DOMPurify (strict) → a DOM fragment,
// code highlighted by highlight.js, each code block with a copy button. The libraries are
// vendored files (static/vendor, see scripts/vendor_web_libs.py); none needs eval.

import markdownit from '../vendor/markdown-it.esm.min.js';
import createDOMPurify from '../vendor/purify.es.js';
import hljs from '../vendor/highlight.min.js';
import { h } from './dom.js';

const ALIGN = /^text-align:(left|center|right)$/;
const MAX_HIGHLIGHT = 100_000; // characters of one block; longer ones stay plain

const md = markdownit({
  html: false, // any HTML in a reply is shown as text
  linkify: true,
  typographer: false,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : null;
    if (!language || code.length > MAX_HIGHLIGHT) return ''; // markdown-it escapes it
    return hljs.highlight(code, { language, ignoreIllegals: true }).value;
  },
});
md.disable('image'); // an image would load from another host: it stays a link
// Table alignment as classes: the sanitizer keeps no style attribute.
md.core.ruler.push('align_classes', (state) => {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') continue;
    const align = ALIGN.exec(token.attrGet('style') || '');
    if (!align) continue;
    token.attrs = token.attrs.filter(([name]) => name !== 'style');
    token.attrJoin('class', `align-${align[1]}`);
  }
});

const purify = createDOMPurify(window);
const PURIFY = {
  ALLOWED_TAGS: [
    'a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr',
    'i', 'li', 'ol', 'p', 'pre', 's', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead',
    'tr', 'ul',
  ],
  ALLOWED_ATTR: ['href', 'title', 'class', 'start'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
};
const CLASS_OK = /^(?:hljs[\w-]*|language-[\w+#.-]+|align-(?:left|center|right))$/;
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.hasAttribute('class')) {
    const kept = node.getAttribute('class').split(/\s+/).filter((c) => CLASS_OK.test(c));
    if (kept.length) node.setAttribute('class', kept.join(' '));
    else node.removeAttribute('class');
  }
  if (node.tagName === 'A') {
    if (node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  }
});
purify.addHook('uponSanitizeAttribute', (node, data) => {
  // target and rel are set above, never taken from the reply.
  if (data.attrName === 'target' || data.attrName === 'rel') data.keepAttr = false;
});

/** Copies `text`: the Clipboard API, or a hidden textarea where it is missing or refused. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h('textarea', { class: 'offscreen', readonly: true, 'aria-hidden': 'true' });
    area.value = text;
    const was = document.activeElement;
    document.body.append(area);
    area.focus();
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    was?.focus();
    return ok;
  }
}

function copyButton(code) {
  // Its name is its text, so "Copied" is announced (aria-live) and read on focus.
  const button = h('button', {
    type: 'button', class: 'copy small', title: 'Copy the code', 'aria-live': 'polite',
  }, 'Copy');
  let timer = null;
  button.addEventListener('click', async () => {
    const ok = await copyText(code.textContent);
    button.textContent = ok ? 'Copied' : 'Copy failed';
    button.classList.toggle('done', ok);
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = 'Copy';
      button.classList.remove('done');
    }, 2000);
  });
  return button;
}

/** Each <pre> in a box with the code's language and a copy button; tables scrollable. */
function decorate(fragment) {
  for (const pre of fragment.querySelectorAll('pre')) {
    const code = pre.querySelector('code') || pre;
    const lang = /(?:^|\s)language-([\w+#.-]+)/.exec(code.className)?.[1];
    if (lang) code.classList.add('hljs');
    const figure = h('div', { class: 'code-block' },
      h('div', { class: 'code-bar' }, h('span', { class: 'code-lang' }, lang || 'text'), copyButton(code)));
    pre.replaceWith(figure);
    figure.append(pre);
  }
  for (const table of fragment.querySelectorAll('table')) { // wide tables scroll on their own
    const scroll = h('div', { class: 'table-scroll' });
    table.replaceWith(scroll);
    scroll.append(table);
  }
  return fragment;
}

/** Markdown text → a sanitized DOM fragment, ready to append. */
export function renderMarkdown(text) {
  return decorate(purify.sanitize(md.render(text || ''), PURIFY));
}

/** Fills `target` (class "md") with `text` rendered as Markdown. */
export function showMarkdown(target, text) {
  target.classList.add('md');
  target.replaceChildren(renderMarkdown(text));
  return target;
}

/**
 * A body that grows as a reply streams: append(chunk) re-renders at most every `interval`
 * ms, in an animation frame, and swaps the content in one step (no flicker); flush() shows
 * the whole text now. `text` is what has arrived.
 */
export class MarkdownStream {
  constructor(target, interval = 80) {
    this.target = target;
    this.interval = interval;
    this.text = '';
    this.last = 0;
    this.timer = null;
    this.frame = null;
    target.classList.add('md');
  }

  append(chunk) {
    this.text += chunk;
    if (this.timer !== null || this.frame !== null) return;
    const wait = Math.max(0, this.last + this.interval - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.frame = requestAnimationFrame(() => this.flush());
    }, wait);
  }

  flush() {
    clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
    this.timer = null;
    this.frame = null;
    this.last = performance.now();
    this.target.replaceChildren(renderMarkdown(this.text));
  }
}

/** A message's body: replies as Markdown, what the user typed as the text it is. */
export function messageBody(role, content) {
  const body = h('div', { class: 'msg-body' });
  if (role === 'user') body.textContent = content;
  else showMarkdown(body, content);
  return body;
}
