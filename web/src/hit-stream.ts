// The live hit stream as an Observable: GET /api/v1/hits/stream read with fetch (EventSource
// cannot send the bearer token) and parsed as Server-Sent Events. A dropped connection is
// reopened with backoff and Last-Event-ID, so the engine resends exactly what was missed; each
// (re)opening is announced, so the board reloads the backlog and the acks made meanwhile (an
// `event: ack` carries no id, and one sent while disconnected is not resent).

import { Observable } from 'rxjs';
import { ApiError, request } from './api.js';
import { reconnectDelayMs } from './backoff.js';
import type { AckEvent, Hit } from './hit.js';
import { SseParser } from './sse-parser.js';

export type StreamMessage =
  | { kind: 'open' }
  | { kind: 'hit'; hit: Hit }
  | { kind: 'ack'; ack: AckEvent }
  | { kind: 'down'; retryInMs: number; why: string };

export function hitStream(path = '/api/v1/hits/stream'): Observable<StreamMessage> {
  return new Observable<StreamMessage>((subscriber) => {
    const abort = new AbortController();
    let lastEventId = '';
    let attempt = 0;
    const run = async () => {
      while (!abort.signal.aborted) {
        let why = 'the stream ended';
        try {
          const headers: Record<string, string> = { accept: 'text/event-stream' };
          if (lastEventId !== '') headers['last-event-id'] = lastEventId;
          const res = await request(path, { headers, signal: abort.signal });
          attempt = 0;
          subscriber.next({ kind: 'open' });
          const parser = new SseParser(lastEventId);
          const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const event of parser.feed(value)) {
              if (event.type === 'hit') subscriber.next({ kind: 'hit', hit: JSON.parse(event.data) as Hit });
              else if (event.type === 'ack') subscriber.next({ kind: 'ack', ack: JSON.parse(event.data) as AckEvent });
            }
            lastEventId = parser.lastEventId;
          }
        } catch (err) {
          if (abort.signal.aborted) return;
          // Signed out, refused, or asked wrongly: retrying would not help.
          if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
            subscriber.error(err);
            return;
          }
          why = (err as Error).message;
        }
        const retryInMs = reconnectDelayMs(attempt++);
        subscriber.next({ kind: 'down', retryInMs, why });
        await new Promise((r) => setTimeout(r, retryInMs));
      }
    };
    void run();
    return () => abort.abort();
  });
}
