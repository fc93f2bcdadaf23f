/**
 * A server-sent events parser over a fetch body (a `ReadableStream<Uint8Array>`), with no
 * dependency: bytes are decoded as UTF-8 across chunk boundaries, lines are split on CR, LF
 * or CRLF wherever the network cut them, and each event (its `data:` lines joined by `\n`)
 * is yielded when its blank line arrives. Comments (`: ping`) are skipped; `id:` is kept.
 */

export interface ServerSentEvent {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last `id:` seen so far in the stream (ids persist across events, per the spec). */
  id?: string;
}

/** Parses SSE text incrementally: `push` chunks of text, take complete events. */
export class SSEParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined;
  private pendingCR = false;

  /** Feed a piece of decoded text; return the events it completed. */
  push(text: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let chunk = text;
    if (this.pendingCR && chunk.startsWith('\n')) chunk = chunk.slice(1); // the LF of a CRLF cut in two
    this.pendingCR = false;
    this.buffer += chunk;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (ch !== '\n' && ch !== '\r') continue;
      const line = this.buffer.slice(start, i);
      if (ch === '\r') {
        if (i + 1 === this.buffer.length) this.pendingCR = true;
        else if (this.buffer[i + 1] === '\n') i++;
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** The event left without its blank line when the stream ended, if any. */
  end(): ServerSentEvent | undefined {
    const events = this.buffer ? this.push('\n') : [];
    return events[0] ?? this.dispatch();
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    if (this.data.length === 0) {
      this.event = '';
      return undefined;
    }
    const event: ServerSentEvent = { event: this.event || 'message', data: this.data.join('\n') };
    if (this.lastId !== undefined) event.id = this.lastId;
    this.data = [];
    this.event = '';
    return event;
  }
}

/** Every event of an SSE body, in order; the reader is released when iteration stops. */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SSEParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    const tail = parser.push(decoder.decode());
    yield* tail;
    const last = parser.end();
    if (last) yield last;
  } finally {
    await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
