// The conversation tree as an SVG graph: a node per message, coloured by the branch it was
// written on, the open branch's path drawn bold; a click (or Enter) opens a node's path.

import { h, s } from '../dom.js';

const COL = 34;
const ROW = 42;
const PAD = 18;
const R = 10;

/** Leaves get consecutive columns; a parent sits above its first child; depth is the row. */
function layout(data) {
  const place = new Map();
  let nextColumn = 0;
  let maxDepth = 0;
  const visit = (message, depth) => {
    maxDepth = Math.max(maxDepth, depth);
    const kids = data.children(message.id);
    if (!kids.length) {
      place.set(message.id, { col: nextColumn++, depth });
      return;
    }
    kids.forEach((kid) => visit(kid, depth + 1));
    place.set(message.id, { col: place.get(kids[0].id).col, depth });
  };
  data.children(null).forEach((root) => visit(root, 0));
  return { place, columns: Math.max(nextColumn, 1), rows: maxDepth + 1 };
}

function preview(text, n = 60) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

export function treeGraph(data, branch, onOpen) {
  const { place, columns, rows } = layout(data);
  const onPath = new Set(data.path(branch).map((m) => m.id));
  const at = (id) => {
    const p = place.get(id);
    return [PAD + p.col * COL, PAD + p.depth * ROW];
  };

  const edges = [];
  const nodes = [];
  const labels = [];
  for (const message of data.messages.values()) {
    if (!place.has(message.id)) continue;
    const [x, y] = at(message.id);
    const home = message.branchInfo?.branchId;
    const colour = data.colour(home);
    const current = onPath.has(message.id);
    if (message.parentMessageId && place.has(message.parentMessageId)) {
      const [px, py] = at(message.parentMessageId);
      const d = px === x ? `M${px},${py}V${y}` : `M${px},${py}C${px},${y - ROW / 2} ${x},${py + ROW / 2} ${x},${y}`;
      edges.push(s('path', {
        d, fill: 'none', stroke: colour, 'stroke-width': current ? 4 : 1.6,
        'stroke-opacity': current ? 1 : 0.55, class: current ? 'edge current' : 'edge',
      }));
    }
    const who = message.role === 'user' ? 'You' : message.model || 'Assistant';
    const branchTitle = message.branchInfo?.branchTitle || '';
    const label = `${who}: ${preview(message.content)} (branch ${branchTitle})`;
    const open = () => onOpen(message);
    nodes.push(s('g', {
      class: `node${current ? ' current' : ''}`, tabindex: 0, role: 'button',
      'aria-label': label, 'data-message-id': message.id, 'data-branch-id': home,
      onClick: open,
      onKeydown: (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open();
        }
      },
    },
    s('title', {}, label),
    s('circle', { cx: x, cy: y, r: R + 4, class: 'halo' }),
    s('circle', { cx: x, cy: y, r: R, fill: colour, class: 'dot' }),
    s('text', { x, y: y + 4, 'text-anchor': 'middle', class: 'node-letter' },
      message.role === 'user' ? 'U' : 'A')));
    if (message.id === branch.headMessageId) { // the open branch's head, named (the rest: legend)
      labels.push(s('text', { x: x + R + 6, y: y + 4, class: 'head-label', fill: colour }, preview(branch.title, 22)));
    }
  }

  const width = PAD * 2 + (columns - 1) * COL + 150;
  const height = PAD * 2 + (rows - 1) * ROW + 10;
  const svg = s('svg', {
    class: 'tree-svg', width, height, viewBox: `0 0 ${width} ${height}`,
    role: 'group', 'aria-label': `Conversation tree: ${data.messages.size} messages in ${data.branches.length} branches`,
  }, edges, labels, nodes);
  const legend = h('ul', { class: 'legend', 'aria-label': 'Branches' }, data.branches.map((b) => h('li', {
    class: b.id === branch.id ? 'current' : null,
  }, h('span', { class: 'swatch', 'aria-hidden': 'true', style: `background:${data.colour(b.id)}` }),
  h('a', { href: `#/c/${data.conversation.id}/b/${b.id}` }, b.title),
  b.archived ? h('span', { class: 'muted small' }, ' (archived)') : null)));
  return h('figure', { class: 'tree' },
    data.messages.size ? h('div', { class: 'tree-scroll' }, svg) : h('p', { class: 'muted' }, 'No messages yet.'),
    legend);
}
