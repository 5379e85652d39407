// Server-Sent Events on a raw response, with its backpressure respected: the producer asks
// `drained()` before it pulls more, so a client that stops reading holds up the producer
// instead of making the server buffer for it without bound; one that stays stalled is cut,
// and resumes with Last-Event-ID like after any other disconnection.

import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

export interface EventStreamLimits {
  /** A comment this often keeps proxies from closing an idle stream. */
  keepaliveMs: number;
  /** How long a client may leave written events unread before the stream is cut. */
  stallMs: number;
}

export type DrainOutcome = 'drained' | 'closed' | 'stalled';

export class EventStream {
  private readonly hangUp = new AbortController();
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly limits: EventStreamLimits,
  ) {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // No keepalive for a client that has not read what it was sent: it is not idle, and the
    // comment would only add to what waits for it.
    this.keepalive = setInterval(() => {
      if (!res.writableNeedDrain) res.write(': keepalive\n\n');
    }, limits.keepaliveMs);
    // 'close' comes when the client hangs up, when the stream is cut and after end(); a
    // client may have gone before this response got its head.
    res.once('close', () => this.stop());
    if (res.destroyed) this.stop();
  }

  /** Aborted once the stream is over, whoever ended it: producers stop pulling on it. */
  get closed(): AbortSignal {
    return this.hangUp.signal;
  }

  comment(text: string): void {
    this.res.write(`: ${text}\n\n`);
  }

  /**
   * `data` must be one line (JSON as JSON.stringify writes it is). An event without an id
   * leaves the client's Last-Event-ID as it was: it is not part of what a resume replays.
   */
  event(id: number | null, type: string, data: string): void {
    this.res.write(`${id === null ? '' : `id: ${id}\n`}event: ${type}\ndata: ${data}\n\n`);
  }

  /**
   * Resolves once the client has taken what was written (at once when the socket's buffer is
   * below its high-water mark). A client that takes nothing for `stallMs` is cut: what it has
   * not received is dropped with the connection, and since an SSE client counts only complete
   * events, its Last-Event-ID asks for exactly that again.
   */
  async drained(): Promise<DrainOutcome> {
    if (this.closed.aborted) return 'closed';
    if (!this.res.writableNeedDrain) return 'drained';
    const stall = AbortSignal.timeout(this.limits.stallMs);
    try {
      await once(this.res, 'drain', { signal: AbortSignal.any([this.closed, stall]) });
      return 'drained';
    } catch (err) {
      if (this.closed.aborted) return 'closed';
      if (!stall.aborted) throw err;
      // destroy, not end: end() would wait behind the unread data for as long as the client.
      this.res.destroy();
      return 'stalled';
    }
  }

  end(): void {
    this.stop();
    if (!this.res.destroyed) this.res.end();
  }

  private stop(): void {
    clearInterval(this.keepalive);
    if (!this.hangUp.signal.aborted) this.hangUp.abort();
  }
}
