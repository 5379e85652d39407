// api/sighting-export.ts: sighting downloads as NDJSON and CSV, and a body that pulls rows
// only as its reader takes them.

import { PassThrough, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { chunkBody, exportFileName, exportHead, exportLines, StalledClientError } from '../../api/sighting-export.js';

const row = (over: Record<string, unknown> = {}) => ({
  ts: '2026-11-01T10:00:00.000Z',
  camera: 'cam-1',
  kind: 'plate',
  plate: '01A123BC',
  conf: 0.5,
  lat: 41.3,
  lon: 69.2,
  area: null,
  id: 'r1',
  attrs: { color: 'red, "dark"', note: 'a\nb' },
  ...over,
});

describe('exportLines', () => {
  it('writes NDJSON: one JSON object per line, as the JSON answer has it', () => {
    const text = exportHead('ndjson') + exportLines('ndjson', [row(), row({ id: 'r2', attrs: null })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0])).toEqual(row());
    expect(JSON.parse(lines[1])).toMatchObject({ id: 'r2', attrs: null });
  });

  it('writes CSV: a header, RFC 4180 quoting, CRLF, attrs as JSON text, empty cells for null', () => {
    const text = exportHead('csv') + exportLines('csv', [row()]) + exportLines('csv', [row({ camera: '=cmd', conf: null, id: 'r2' })]);
    expect(text).toBe(
      'ts,camera,kind,plate,conf,lat,lon,area,id,attrs\r\n' +
        '2026-11-01T10:00:00.000Z,cam-1,plate,01A123BC,0.5,41.3,69.2,,r1,"{""color"":""red, \\""dark\\"""",""note"":""a\\nb""}"\r\n' +
        '2026-11-01T10:00:00.000Z,\'=cmd,plate,01A123BC,,41.3,69.2,,r2,"{""color"":""red, \\""dark\\"""",""note"":""a\\nb""}"\r\n',
    );
    expect(exportLines('csv', [])).toBe('');
  });

  it('names the file after the pattern, wildcards as _', () => {
    expect(exportFileName('01A1*B?', 'csv')).toBe('sightings-01A1_B_.csv');
    expect(exportFileName('01A123BC', 'ndjson')).toBe('sightings-01A123BC.ndjson');
  });
});

/** An iterator of `n` chunks that counts what was pulled and whether it was returned. */
function source(n: number, fail?: number) {
  const state = { pulled: 0, returned: false };
  const it: AsyncIterator<Array<{ i: number }>> = {
    async next() {
      await sleep(1);
      if (state.pulled === fail) throw new Error('query failed');
      if (state.pulled >= n) return { done: true, value: undefined };
      state.pulled++;
      return { done: false, value: [{ i: state.pulled }] };
    },
    async return() {
      state.returned = true;
      return { done: true, value: undefined };
    },
  };
  return { it, state };
}

const encode = (rows: Array<{ i: number }>) => `${'x'.repeat(64 * 1024)}${rows.map((r) => r.i).join()}\n`;

async function text(body: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  await pipeline(
    body,
    new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    }),
  );
  return out;
}

describe('chunkBody', () => {
  it('gives the head and every chunk, in order', async () => {
    const { it: chunks, state } = source(5);
    const body = await chunkBody(chunks, { head: 'H\n', encode: (rows) => `${rows.map((r) => r.i).join()}\n`, stallMs: 1000 });
    expect(await text(body)).toBe('H\n1\n2\n3\n4\n5\n');
    expect(state).toEqual({ pulled: 5, returned: false });
  });

  it('gives only the head when there are no rows', async () => {
    const { it: chunks } = source(0);
    expect(await text(await chunkBody(chunks, { head: 'H\n', encode, stallMs: 1000 }))).toBe('H\n');
    expect(await text(await chunkBody(source(0).it, { head: '', encode, stallMs: 1000 }))).toBe('');
  });

  it('throws a failure of the first chunk (the answer is still an error), returning the source', async () => {
    const { it: chunks, state } = source(5, 0);
    await expect(chunkBody(chunks, { head: '', encode, stallMs: 1000 })).rejects.toThrow('query failed');
    expect(state.returned).toBe(true);
  });

  it('pulls a chunk only when the reader asks for more', async () => {
    const { it: chunks, state } = source(1000);
    const body = await chunkBody(chunks, { head: '', encode, stallMs: 10_000 });
    const sink = new PassThrough({ highWaterMark: 16 * 1024 });
    body.pipe(sink);
    await sleep(100);
    // The first chunk, one more in the body's buffer, one piped into the full sink: not 1000.
    expect(state.pulled).toBeLessThanOrEqual(4);
    sink.read();
    await sleep(50);
    expect(state.pulled).toBeLessThanOrEqual(6);
    body.destroy();
    await sleep(10);
    expect(state.returned).toBe(true);
  });

  it('fails when its reader takes nothing for stallMs, returning the source', async () => {
    const { it: chunks, state } = source(1000);
    const body = await chunkBody(chunks, { head: '', encode, stallMs: 150 });
    const sink = new PassThrough({ highWaterMark: 16 * 1024 });
    const failed = new Promise<Error>((resolve) => body.once('error', resolve));
    body.pipe(sink);
    const err = await failed;
    expect(err).toBeInstanceOf(StalledClientError);
    expect(state.returned).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(4);
  }, 5000);

  it('passes a failure after the first chunk on as an error of the body', async () => {
    const { it: chunks, state } = source(10, 3);
    const body = await chunkBody(chunks, { head: '', encode, stallMs: 1000 });
    await expect(text(body)).rejects.toThrow('query failed');
    expect(state.pulled).toBe(3);
    const failing = (rows: Array<{ i: number }>) => {
      if (rows[0].i === 2) throw new Error('cannot encode');
      return 'ok\n';
    };
    const second = source(10);
    await expect(text(await chunkBody(second.it, { head: '', encode: failing, stallMs: 1000 }))).rejects.toThrow('cannot encode');
    expect(second.state.returned).toBe(true);
  });
});
