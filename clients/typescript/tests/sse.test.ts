import { describe, expect, it } from 'vitest';
import { SSEParser, readServerSentEvents } from '../src/index';

function bodyOf(pieces: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
}

describe('SSE parser', () => {
  it('joins events cut anywhere, multi-byte characters included', async () => {
    const text = 'id: m:1\ndata: {"type":"content","content":"é✓"}\n\n: ping\n\ndata: a\ndata: b\n\ndata: [DONE]\n\n';
    const bytes = new TextEncoder().encode(text);
    for (let cut = 1; cut < bytes.length; cut += 3) {
      const events = [];
      for await (const event of readServerSentEvents(bodyOf([bytes.slice(0, cut), bytes.slice(cut)]))) events.push(event);
      expect(events).toEqual([
        { event: 'message', data: '{"type":"content","content":"é✓"}', id: 'm:1' },
        { event: 'message', data: 'a\nb', id: 'm:1' },
        { event: 'message', data: '[DONE]', id: 'm:1' },
      ]);
    }
  });

  it('handles CRLF split across pushes, event names and a last event without its blank line', () => {
    const parser = new SSEParser();
    expect(parser.push('event: ping\r')).toEqual([]);
    expect(parser.push('\ndata: x\r\n\r')).toEqual([{ event: 'ping', data: 'x' }]);
    expect(parser.push('\ndata: tail')).toEqual([]);
    expect(parser.end()).toEqual({ event: 'message', data: 'tail' });
  });
});
