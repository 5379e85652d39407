// A producer that knows exactly what JetStream accepted: every message carries a Nats-Msg-Id,
// is retried until acknowledged, and counts once (a duplicate ack means it was stored before).

import { encode } from '@msgpack/msgpack';
import type { JetStreamClient } from '@nats-io/jetstream';

export interface Accepted {
  messages: number;
  reads: number;
  retries: number;
}

export interface StreamPlan {
  /** Messages to publish. */
  messages: number;
  /** Reads in message i (1 = a camera's single read, more = a gateway batch). */
  readsIn: (i: number) => number;
  /** Stop early when this resolves true (checked between messages). */
  stop?: () => boolean;
  /** Messages in flight before awaiting their acks. */
  window?: number;
  /** Pause between windows, to spread the stream over time. */
  pauseMs?: number;
  tag: string;
  /** The records of message i (default: vehicle and person reads). */
  records?: (i: number, n: number, ts: number) => Array<Record<string, unknown>>;
}

function defaultRecords(i: number, n: number, ts: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, k) => ({ ts: ts + k, kind: k % 2 ? 'vehicle' : 'person', id: `r${i}.${k}` }));
}

export async function publishAccepted(js: JetStreamClient, plan: StreamPlan): Promise<Accepted> {
  const accepted: Accepted = { messages: 0, reads: 0, retries: 0 };
  const window = plan.window ?? 50;
  const base = Date.now() - 60_000;
  for (let start = 0; start < plan.messages; start += window) {
    if (plan.stop?.()) break;
    const end = Math.min(plan.messages, start + window);
    await Promise.all(
      Array.from({ length: end - start }, async (_, k) => {
        const i = start + k;
        const n = plan.readsIn(i);
        const records = (plan.records ?? defaultRecords)(i, n, base + i);
        const data = encode(n === 1 ? records[0] : records);
        for (;;) {
          try {
            await js.publish(`vigil.det.cam-${i % 17}`, data, { msgID: `${plan.tag}-${i}`, timeout: 2000 });
            accepted.messages++;
            accepted.reads += n;
            return;
          } catch {
            accepted.retries++;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }),
    );
    if (plan.pauseMs) await new Promise((r) => setTimeout(r, plan.pauseMs));
  }
  return accepted;
}

export interface RatePlan {
  /** Messages a second the producer aims at, asked again for every message (it goes as fast as it can when it cannot keep up). */
  rate: number | (() => number);
  durationMs: number;
  readsPerMessage: number;
  tag: string;
  /** Acknowledgements awaited at once. */
  inFlight?: number;
}

/**
 * Paced JetStream publishing: `rate` messages a second for `durationMs`, each with a Nats-Msg-Id
 * and retried until acknowledged, so `Accepted` is exactly what the stream holds.
 */
export async function publishAtRate(js: JetStreamClient, plan: RatePlan): Promise<Accepted & { elapsedMs: number }> {
  const accepted: Accepted = { messages: 0, reads: 0, retries: 0 };
  const rate = typeof plan.rate === 'number' ? () => plan.rate as number : plan.rate;
  const started = performance.now();
  const base = Date.now() - 60_000;
  const limit = plan.inFlight ?? 256;
  const pending = new Set<Promise<void>>();
  // A few payloads, encoded once: the producer's CPU goes to publishing, not to MessagePack.
  const payloads = Array.from({ length: 64 }, (_, v) => encode(defaultRecords(v, plan.readsPerMessage, base + v * 1000)));
  const one = async (i: number) => {
    const data = payloads[i % payloads.length];
    for (;;) {
      try {
        await js.publish(`vigil.det.gw-${i % 17}`, data, { msgID: `${plan.tag}-${i}`, timeout: 5000 });
        accepted.messages++;
        accepted.reads += plan.readsPerMessage;
        return;
      } catch {
        accepted.retries++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  let due = 0; // ms after start when the next message is due
  for (let i = 0; ; i++) {
    const elapsed = performance.now() - started;
    if (elapsed >= plan.durationMs) break;
    // Behind schedule: no catching up in a burst; ahead of it: wait.
    due = Math.max(due, elapsed - 100);
    if (due > elapsed + 5) await new Promise((r) => setTimeout(r, due - elapsed));
    due += 1000 / Math.max(1, rate());
    while (pending.size >= limit) await Promise.race(pending);
    const p = one(i).finally(() => pending.delete(p));
    pending.add(p);
  }
  await Promise.all(pending);
  return { ...accepted, elapsedMs: performance.now() - started };
}
