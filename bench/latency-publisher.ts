// A paced producer for the latency benchmark, run as its own process so that publishing does
// not share the engine's event loop: gateway batches of 150 reads at a steady rate, each read
// carrying its publish time in its id (`l<n>:<epoch ms>:`).
//
//   node dist/bench/latency-publisher.js <nats url> <reads/s> <seconds> <plates>

import { encode } from '@msgpack/msgpack';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { benchRead } from './bench-reads.js';

const [url, rateText, secondsText, platesText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const plates = Number(platesText);

const nc = await connect({ servers: url });
const js = jetstream(nc);
const tickMs = 10;
const perTick = Math.round((rate * tickMs) / 1000);
const started = Date.now();
let i = 0;
let ticks = 0;
while (Date.now() - started < seconds * 1000) {
  for (let sent = 0; sent < perTick; sent += 150) {
    const n = Math.min(150, perTick - sent);
    const now = Date.now();
    const batch = Array.from({ length: n }, () => benchRead(i++, now, plates, `l${i}:${now}:`));
    js.publish(`vigil.det.gw-${i % 16}`, encode(batch)).catch(() => undefined);
  }
  // Paced against the clock, so a slow tick is made up by the next ones.
  const wait = started + ++ticks * tickMs - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
await nc.flush();
process.stdout.write(`${JSON.stringify({ reads: i, seconds: (Date.now() - started) / 1000 })}\n`);
await nc.drain();
