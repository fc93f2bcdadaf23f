// One conversation as the UI holds it: read from GET …/tree, with paths and branch colours.

import { api } from './api.js';

// Eight hues that keep white node letters legible and stand out on both themes.
export const PALETTE = ['#2563eb', '#d9480f', '#2b8a3e', '#9c36b5', '#c2255c', '#0b7285', '#8a6d00', '#364fc7'];

export class ConversationData {
  constructor(payload) {
    this.conversation = payload.conversation;
    this.branches = payload.conversation.branches;
    this.messages = new Map();
    const walk = (nodes) => nodes.forEach((node) => {
      this.messages.set(node.id, node);
      walk(node.children || []);
    });
    walk(payload.tree.children || []);
    this.colours = new Map(this.branches.map((b, i) => [b.id, PALETTE[i % PALETTE.length]]));
  }

  static async load(conversationId) {
    return new ConversationData(await api(`/conversations/${conversationId}/tree`));
  }

  branch(id) {
    return this.branches.find((b) => b.id === id) || this.main;
  }

  get main() {
    return this.branches.find((b) => b.isMain) || this.branches[0];
  }

  colour(branchId) {
    return this.colours.get(branchId) || PALETTE[0];
  }

  /** The branch's messages from the root to its head (its context). */
  path(branch) {
    const out = [];
    let id = branch.headMessageId || branch.forkPointMessageId;
    const seen = new Set();
    while (id && this.messages.has(id) && !seen.has(id)) {
      seen.add(id);
      const message = this.messages.get(id);
      out.push(message);
      id = message.parentMessageId;
    }
    return out.reverse();
  }

  /** Children of a message (null: the roots), in creation order. */
  children(id) {
    return [...this.messages.values()].filter((m) => (m.parentMessageId || null) === id);
  }
}
