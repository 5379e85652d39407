// Turning message bytes into records: MessagePack (detections, incidents) or JSON (incidents),
// with limits so a hostile payload cannot make the decoder allocate without bound.

import { Decoder } from '@msgpack/msgpack';
import { RecordError } from '../engine/domain/detection.js';

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

/** The last token of a subject: the camera of `<prefix>.det.<camera>`, the type of `<prefix>.incident.<type>`. */
export function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf('.') + 1);
}
