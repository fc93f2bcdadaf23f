// The usage dashboard: tokens and cost per day (an SVG chart), per model, conversation and
// branch; the plan and what is left of its quotas.

import { api, auth } from '../api.js';
import { h, s, mount, fmtInt, fmtCost, fmtDate } from '../dom.js';

const W = 640;
const H = 220;
const M = { top: 16, right: 64, bottom: 34, left: 52 };

/** Every UTC day from the first to the last reported, zeros where nothing was used. */
function days(byDay) {
  if (!byDay.length) return [];
  const out = [];
  const seen = new Map(byDay.map((d) => [d.date, d]));
  const end = new Date(`${byDay[byDay.length - 1].date}T00:00:00Z`);
  for (let d = new Date(`${byDay[0].date}T00:00:00Z`); d <= end; d.setUTCDate(d.getUTCDate() + 1)) {
    const key = d.toISOString().slice(0, 10);
    out.push(seen.get(key) || { date: key, promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: 0 });
  }
  return out;
}

function chart(byDay) {
  const series = days(byDay);
  if (!series.length) return h('p', { class: 'muted' }, 'No usage in this period yet.');
  const maxTokens = Math.max(...series.map((d) => d.totalTokens), 1);
  const maxCost = Math.max(...series.map((d) => d.cost), 0);
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const slot = iw / series.length;
  const bar = Math.max(Math.min(slot * 0.7, 48), 2);
  const y = (v) => M.top + ih - (v / maxTokens) * ih;
  const yc = (v) => M.top + ih - (maxCost ? (v / maxCost) * ih : 0);
  const bars = series.flatMap((d, i) => {
    const x = M.left + i * slot + (slot - bar) / 2;
    const label = `${d.date}: ${fmtInt(d.promptTokens)} prompt + ${fmtInt(d.completionTokens)} completion tokens, ${fmtCost(d.cost)}`;
    return [
      s('rect', { x, y: y(d.totalTokens), width: bar, height: y(d.completionTokens) - y(d.totalTokens) + 0.01, class: 'bar-prompt' }, s('title', {}, label)),
      s('rect', { x, y: y(d.completionTokens), width: bar, height: M.top + ih - y(d.completionTokens), class: 'bar-completion' }, s('title', {}, label)),
    ];
  });
  const step = Math.ceil(series.length / 8);
  const ticks = series.map((d, i) => (i % step ? null : s('text', {
    x: M.left + i * slot + slot / 2, y: H - 12, 'text-anchor': 'middle', class: 'axis',
  }, d.date.slice(5))));
  const points = series.map((d, i) => `${M.left + i * slot + slot / 2},${yc(d.cost)}`).join(' ');
  return h('figure', { class: 'chart' },
    s('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart-svg',
      'aria-label': `Tokens per day over ${series.length} days, at most ${fmtInt(maxTokens)} in a day`,
    },
    s('line', { x1: M.left, y1: M.top + ih, x2: W - M.right, y2: M.top + ih, class: 'axis-line' }),
    s('text', { x: M.left - 6, y: M.top + 4, 'text-anchor': 'end', class: 'axis' }, fmtInt(maxTokens)),
    s('text', { x: M.left - 6, y: M.top + ih, 'text-anchor': 'end', class: 'axis' }, '0'),
    s('text', { x: W - 2, y: M.top + 4, 'text-anchor': 'end', class: 'axis cost' }, fmtCost(maxCost)),
    bars, ticks,
    series.length > 1 ? s('polyline', { points, class: 'cost-line', fill: 'none' }) : null,
    series.map((d, i) => s('circle', { cx: M.left + i * slot + slot / 2, cy: yc(d.cost), r: 3.5, class: 'cost-dot' },
      s('title', {}, `${d.date}: ${fmtCost(d.cost)}`)))),
    h('figcaption', { class: 'legend-inline' },
      h('span', { class: 'key prompt' }), 'Prompt tokens ',
      h('span', { class: 'key completion' }), 'Completion tokens ',
      h('span', { class: 'key cost' }), 'Cost'));
}

function table(caption, columns, rows) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(([label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.length ? rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))
      : h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'Nothing yet'))));
}

const TOKENS = [['Tokens', (r) => fmtInt(r.totalTokens)], ['Calls', (r) => fmtInt(r.calls)], ['Cost', (r) => fmtCost(r.cost)]];

function allowance(label, a) {
  if (!a) return null;
  return h('div', { class: 'quota' },
    h('div', { class: 'row' }, h('strong', {}, label), h('div', { class: 'spacer' }),
      h('span', {}, a.limit === null ? `${fmtInt(a.used)} used · unlimited` : `${fmtInt(a.left)} left of ${fmtInt(a.limit)}`)),
    a.limit === null ? null : h('meter', { min: 0, max: a.limit, value: a.used, 'aria-label': `${label} used` }));
}

export async function renderUsage(main, timeframe = 'month') {
  const guest = auth.user?.isGuest;
  const [usage, billing, guestStatus] = await Promise.all([
    api(`/usage?timeframe=${timeframe}`), api('/billing'), guest ? api('/auth/guest') : null,
  ]);
  if (guestStatus) auth.update({ guest: guestStatus });
  const t = usage.totals;
  const pick = h('select', {
    'aria-label': 'Period',
    onChange: (event) => renderUsage(main, event.target.value),
  }, [['today', 'Today'], ['week', 'Last 7 days'], ['month', 'This month'], ['all', 'All time']].map(([v, label]) => h('option', { value: v, selected: v === timeframe ? true : null }, label)));
  const stat = (label, value) => h('div', { class: 'card stat' }, h('span', { class: 'muted small' }, label), h('strong', { 'data-stat': label }, value));
  mount(main, h('div', { class: 'page stack' },
    h('div', { class: 'row wrap' }, h('h1', {}, 'Usage'), h('div', { class: 'spacer' }), pick),
    h('div', { class: 'stats' },
      stat('Total tokens', fmtInt(t.totalTokens)),
      stat('Prompt tokens', fmtInt(t.promptTokens)),
      stat('Completion tokens', fmtInt(t.completionTokens)),
      stat('Calls', fmtInt(t.calls)),
      stat('Cost', fmtCost(t.cost))),
    h('section', { class: 'card' }, h('h2', {}, 'Tokens and cost over time'), chart(usage.byDay || [])),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card stack' },
        h('h2', {}, `Plan: ${billing.planDetails.name}`),
        h('p', { class: 'muted small' }, `Period ${fmtDate(billing.period.start)} – ${fmtDate(billing.period.end)} · ${fmtCost(billing.costSoFar)} so far`),
        allowance('API calls this month', billing.calls),
        allowance('Tokens this month', billing.tokens),
        guestStatus ? [
          h('h3', {}, 'Guest session'),
          allowance('Messages', { used: guestStatus.used.messages, limit: guestStatus.limits.messages, left: Math.max(guestStatus.limits.messages - guestStatus.used.messages, 0) }),
          allowance('Tokens', { used: guestStatus.used.tokens, limit: guestStatus.limits.tokens, left: Math.max(guestStatus.limits.tokens - guestStatus.used.tokens, 0) }),
          allowance('Branches', { used: guestStatus.used.branches, limit: guestStatus.limits.branches, left: Math.max(guestStatus.limits.branches - guestStatus.used.branches, 0) }),
          h('p', { class: 'muted small' }, `Ends ${fmtDate(guestStatus.expiresAt)}`),
        ] : null),
      h('section', { class: 'card' }, table('By model', [['Model', (r) => r.model], ...TOKENS], usage.byModel || []))),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card' }, table('By conversation', [
        ['Conversation', (r) => h('a', { href: `#/c/${r.conversationId}` }, r.title || r.conversationId)], ...TOKENS,
      ], usage.byConversation || [])),
      h('section', { class: 'card' }, table('By branch', [
        ['Branch', (r) => h('a', { href: `#/c/${r.conversationId}/b/${r.branchId}` }, r.title || r.branchId)], ...TOKENS,
      ], usage.byBranch || [])))));
}
