// Server-Sent Events as the HTML standard parses them, fed text as it arrives. EventSource would
// do this, but it cannot send an Authorization header: the app reads the stream with fetch and
// parses it here. Pure: no DOM, no I/O, so the unit tests run it under Node.

export interface SseEvent {
  /** `event:` field, `message` when the event named none. */
  type: string;
  /** `data:` lines joined by newlines. */
  data: string;
  /** The last event id when this event was dispatched: an event without `id:` keeps the one before. */
  lastEventId: string;
}

export class SseParser {
  private pending = '';
  private data: string[] = [];
  private type = '';
  private idBuffer: string;
  private committedId: string;
  /** The server's `retry:` in milliseconds, if it sent one. */
  retryMs: number | null = null;

  /** `lastEventId`: the id a resumed connection asked from (the new connection keeps it until it sees another). */
  constructor(lastEventId = '') {
    this.idBuffer = lastEventId;
    this.committedId = lastEventId;
  }

  /**
   * The id to resume from: that of the last *complete* event. An `id:` line of an event cut off
   * before its blank line does not count, or a reconnection would skip that event.
   */
  get lastEventId(): string {
    return this.committedId;
  }

  /** Text as decoded from the stream, in any pieces; returns the events completed by it. */
  feed(text: string): SseEvent[] {
    const events: SseEvent[] = [];
    let buffer = this.pending + text;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf('\n', start);
      const cr = buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        // A CR at the very end may be the first half of a CRLF: wait for the next piece.
        if (cr === buffer.length - 1) break;
        end = cr;
        next = buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf >= 0) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const event = this.line(buffer.slice(start, end));
      if (event) events.push(event);
      start = next;
    }
    buffer = buffer.slice(start);
    this.pending = buffer;
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.type = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
      // Unknown fields are ignored, as the standard says.
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    this.committedId = this.idBuffer;
    const data = this.data;
    const type = this.type;
    this.data = [];
    this.type = '';
    if (data.length === 0) return null;
    return { type: type || 'message', data: data.join('\n'), lastEventId: this.committedId };
  }
}
