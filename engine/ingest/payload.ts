// Turning message bytes into records: MessagePack (detections, incidents) or JSON (incidents),
// with limits so a hostile payload cannot make the decoder allocate without bound.

import { Decoder } from '@msgpack/msgpack';
import { RecordError } from '../domain/detection.js';

const decoder = new Decoder({
  maxStrLength: 1 << 20,
  maxBinLength: 1 << 20,
  maxArrayLength: 1 << 20,
  maxMapLength: 1 << 16,
  maxExtLength: 1 << 16,
});

export function decodeMsgpack(data: Uint8Array): unknown {
  if (data.byteLength === 0) throw new RecordError('undecodable', 'payload: empty');
  try {
    return decoder.decode(data);
  } catch (err) {
    throw new RecordError('undecodable', `payload: not MessagePack (${(err as Error).message.slice(0, 120)})`);
  }
}

const OPEN_BRACE = 0x7b;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** JSON when the payload starts with '{' (never a MessagePack map's first byte), else MessagePack. */
export function decodeJsonOrMsgpack(data: Uint8Array): unknown {
  let i = 0;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)) i++;
  if (data[i] !== OPEN_BRACE) return decodeMsgpack(data);
  try {
    return JSON.parse(utf8.decode(data));
  } catch (err) {
    throw new RecordError('undecodable', `payload: not JSON (${(err as Error).message.slice(0, 120)})`);
  }
}

/**
 * Where each element of a MessagePack array payload begins, and where the last ends
 * (`n + 1` offsets), or null when `data` is not one whole array. Lets the DLQ file a batch's
 * bad record as the very bytes the producer sent, where re-encoding the decoded record fails
 * past the encoder's depth limit (100) and would file nothing.
 */
export function msgpackArrayOffsets(data: Uint8Array): number[] | null {
  const head = data[0];
  let n: number;
  let pos: number;
  if (head >= 0x90 && head <= 0x9f) [n, pos] = [head & 0x0f, 1];
  else if (head === 0xdc && data.length >= 3) [n, pos] = [(data[1] << 8) | data[2], 3];
  else if (head === 0xdd && data.length >= 5) [n, pos] = [readUint32(data, 1), 5];
  else return null;
  const offsets = [pos];
  for (let i = 0; i < n; i++) {
    pos = skipMsgpack(data, pos);
    if (pos < 0) return null;
    offsets.push(pos);
  }
  return pos === data.length ? offsets : null;
}

function readUint32(d: Uint8Array, at: number): number {
  return ((d[at] << 24) >>> 0) + (d[at + 1] << 16) + (d[at + 2] << 8) + d[at + 3];
}

/**
 * The offset just past the MessagePack value at `pos`, or -1 when it runs past the end or is
 * not MessagePack. No recursion: a count of values still to skip, since containers only add
 * values that follow them.
 */
export function skipMsgpack(d: Uint8Array, pos: number): number {
  let remaining = 1;
  const len = d.length;
  while (remaining > 0) {
    if (pos >= len) return -1;
    const b = d[pos];
    remaining--;
    let size = 1; // header bytes, then payload bytes
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) size = 1;
    else if (b <= 0x8f) remaining += 2 * (b & 0x0f);
    else if (b <= 0x9f) remaining += b & 0x0f;
    else if (b <= 0xbf) size = 1 + (b & 0x1f);
    else {
      const need = (k: number) => pos + k < len; // the header's length bytes are there
      switch (b) {
        case 0xc4:
        case 0xd9:
          if (!need(1)) return -1;
          size = 2 + d[pos + 1];
          break;
        case 0xc5:
        case 0xda:
          if (!need(2)) return -1;
          size = 3 + ((d[pos + 1] << 8) | d[pos + 2]);
          break;
        case 0xc6:
        case 0xdb:
          if (!need(4)) return -1;
          size = 5 + readUint32(d, pos + 1);
          break;
        case 0xc7:
          if (!need(1)) return -1;
          size = 3 + d[pos + 1];
          break;
        case 0xc8:
          if (!need(2)) return -1;
          size = 4 + ((d[pos + 1] << 8) | d[pos + 2]);
          break;
        case 0xc9:
          if (!need(4)) return -1;
          size = 6 + readUint32(d, pos + 1);
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          size = 5;
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          size = 9;
          break;
        case 0xcc:
        case 0xd0:
          size = 2;
          break;
        case 0xcd:
        case 0xd1:
          size = 3;
          break;
        case 0xd4:
          size = 3;
          break;
        case 0xd5:
          size = 4;
          break;
        case 0xd6:
          size = 6;
          break;
        case 0xd7:
          size = 10;
          break;
        case 0xd8:
          size = 18;
          break;
        case 0xdc:
          if (!need(2)) return -1;
          size = 3;
          remaining += (d[pos + 1] << 8) | d[pos + 2];
          break;
        case 0xdd:
          if (!need(4)) return -1;
          size = 5;
          remaining += readUint32(d, pos + 1);
          break;
        case 0xde:
          if (!need(2)) return -1;
          size = 3;
          remaining += 2 * ((d[pos + 1] << 8) | d[pos + 2]);
          break;
        case 0xdf:
          if (!need(4)) return -1;
          size = 5;
          remaining += 2 * readUint32(d, pos + 1);
          break;
        default:
          return -1; // 0xc1: never used
      }
    }
    pos += size;
  }
  return pos <= len ? pos : -1;
}

/** The last token of a subject: the camera of `<prefix>.det.<camera>`, the type of `<prefix>.incident.<type>`. */
export function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
