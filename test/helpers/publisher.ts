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
