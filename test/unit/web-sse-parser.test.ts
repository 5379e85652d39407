// The web app's Server-Sent Events parser (web/src/sse-parser.ts) against the HTML standard's
// rules, fed in every way a network can cut a stream.

import { describe, expect, it } from 'vitest';
import { SseParser } from '../../web/src/sse-parser.js';

const HITS =
  'id: 7\nevent: hit\ndata: {"id":"d7.0.w.a"}\n\n: keepalive\n\nevent: ack\ndata: {"hit":"d7.0.w.a","status":"accepted"}\n\nid: 8\nevent: hit\ndata: {"id":"d8.0.w.a"}\n\n';

describe('SseParser', () => {
  it('reads hit and ack events, comments ignored; an event without id keeps the one before', () => {
    const p = new SseParser();
    expect(p.feed(HITS)).toEqual([
      { type: 'hit', data: '{"id":"d7.0.w.a"}', lastEventId: '7' },
      { type: 'ack', data: '{"hit":"d7.0.w.a","status":"accepted"}', lastEventId: '7' },
      { type: 'hit', data: '{"id":"d8.0.w.a"}', lastEventId: '8' },
    ]);
    expect(p.lastEventId).toBe('8');
  });

  it('gives the same events whatever the pieces the text arrives in, one character at a time included', () => {
    const whole = new SseParser().feed(HITS);
    for (const size of [1, 2, 3, 5, 7, 13]) {
      const p = new SseParser();
      const events = [];
      for (let i = 0; i < HITS.length; i += size) events.push(...p.feed(HITS.slice(i, i + size)));
      expect(events, `pieces of ${size}`).toEqual(whole);
    }
  });

  it('takes CRLF, CR and LF line ends, a CRLF cut between its two characters included', () => {
    const text = 'id: 1\r\nevent: hit\r\ndata: a\r\n\r\nid: 2\rdata: b\r\rdata: c\n\n';
    const expected = [
      { type: 'hit', data: 'a', lastEventId: '1' },
      { type: 'message', data: 'b', lastEventId: '2' },
      { type: 'message', data: 'c', lastEventId: '2' },
    ];
    expect(new SseParser().feed(text)).toEqual(expected);
    const cut = text.indexOf('\r\n') + 1;
    const p = new SseParser();
    expect([...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))]).toEqual(expected);
  });

  it('joins data lines with newlines, strips one space after the colon, and reads a field without a colon', () => {
    expect(new SseParser().feed('data:a\ndata:  b\ndata\n\n')).toEqual([{ type: 'message', data: 'a\n b\n', lastEventId: '' }]);
  });

  it('dispatches nothing for an event without data, ignores unknown fields and an id holding NUL, reads retry', () => {
    const p = new SseParser();
    expect(p.feed('event: hit\n\nfoo: bar\nid: 3\0\nretry: 2500\nretry: soon\ndata: x\n\n')).toEqual([
      { type: 'message', data: 'x', lastEventId: '' },
    ]);
    expect(p.retryMs).toBe(2500);
  });

  it('resumes from the last complete event only: an id line of an event cut off does not count', () => {
    const p = new SseParser();
    p.feed('id: 5\nevent: hit\ndata: {}\n\nid: 6\nevent: hit\ndata: {"cut');
    expect(p.lastEventId).toBe('5');
  });

  it('starts from the id a resumed connection asked from', () => {
    const p = new SseParser('41');
    expect(p.feed('event: ack\ndata: {}\n\n')).toEqual([{ type: 'ack', data: '{}', lastEventId: '41' }]);
    expect(p.lastEventId).toBe('41');
  });
});
