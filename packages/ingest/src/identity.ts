import { hash } from 'node:crypto';
import type { UsageEvent } from '@tally/metering';

/**
 * JSON with object keys sorted at every level, so two encodings of the same payload hash alike. For plain
 * JSON values (what events hold) it is `JSON.stringify` of a copy whose objects have their keys inserted in
 * sorted order: native, and one flat string (a string appended piece by piece is a tree of pieces, which
 * the stored data JSON would keep alive). Anything the copy cannot carry exactly goes through `appended`.
 */
export function canonicalJson(value: unknown): string {
  const sorted = sortedCopy(value);
  return sorted === UNSORTABLE ? appended(value) : (JSON.stringify(sorted) ?? 'null');
}

const UNSORTABLE = Symbol('unsortable');

/**
 * `value` with every object's keys inserted in sorted order, or UNSORTABLE when `JSON.stringify` of that
 * copy could differ from `appended`: a key that is an array index (objects list those first, in numeric
 * order), `__proto__` (assigning it sets the prototype), an object that is not plain (`toJSON`, a class), or
 * a function, symbol or bigint inside.
 */
function sortedCopy(value: unknown): unknown {
  if (value === null) return value;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      break;
    default:
      return UNSORTABLE;
  }
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = sortedCopy(value[i]);
      if (v === UNSORTABLE) return v;
      out[i] = v;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNSORTABLE;
  const obj = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(obj));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const c = k.charCodeAt(0);
    if ((c >= 48 && c <= 57) || k === '__proto__') return UNSORTABLE;
    const v = sortedCopy(obj[k]);
    if (v === UNSORTABLE) return v;
    out[k] = v;
  }
  return out;
}

/**
 * Sorts keys in place as `Array.prototype.sort` does (UTF-16 code units). Objects of events have a few keys:
 * insertion sort allocates nothing, where the built-in sort copies the array into scratch space.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

/** The canonical JSON built by appending, for any value. */
function appended(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + appended(value[i]);
    return `${out}]`;
  }
  return objectJson(value as Record<string, unknown>, (_, v) => appended(v));
}

/** An object as canonical JSON: keys sorted, undefined members left out, each value as `valueJson` writes it. */
function objectJson(
  obj: Record<string, unknown>,
  valueJson: (key: string, value: unknown) => string,
): string {
  const keys = sortKeys(Object.keys(obj));
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${valueJson(k, v)}`;
    first = false;
  }
  return `${out}}`;
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The first 128 bits of sha256, base64url (22 characters): the one-shot `crypto.hash` gives the whole digest
 * as base64url (43 characters) without a Hash object or Buffers; its first 21 characters carry bits 0–125,
 * and the 22nd of the 128-bit encoding holds bits 126–127 followed by zeros.
 */
function hashOf(canonical: string): string {
  return first128(hash('sha256', canonical, 'base64url'));
}

/** The first 128 bits of a base64url sha256 digest (see `hashOf`). */
function first128(full: string): string {
  return full.slice(0, 21) + BASE64URL[BASE64URL.indexOf(full[21]!) & 0b110000];
}

/** UTF-8 of the canonical text, kept between calls (grown as needed). */
let textBytes = Buffer.allocUnsafeSlow(8192);

/**
 * sha256 (base64url) of `{"data":` + dataJson + rest: the three pieces encoded into one buffer kept between
 * calls, then one digest (`crypto.hash`): no 1 KB string joined for it, no Hash object, one call into the
 * digest instead of three updates. Pieces split at ASCII characters, so their UTF-8 is the whole text's.
 */
function digestPieces(dataJson: string, rest: string): string {
  const most = (8 + dataJson.length + rest.length) * 3;
  if (textBytes.length < most) textBytes = Buffer.allocUnsafeSlow(Math.max(most, textBytes.length * 2));
  const b = textBytes;
  let n = b.write('{"data":', 0, 'latin1');
  n += b.write(dataJson, n, 'utf8');
  n += b.write(rest, n, 'utf8');
  return hash('sha256', b.subarray(0, n), 'base64url');
}

/**
 * The payload hash and the canonical JSON of the event's data, from one serialization: the canonical event
 * is `{"data":<canonical data>,...}` with the other attributes after it in key order, so the data's JSON is
 * a part of it. Ingestion stores that JSON (`EventToStore.dataJson`) instead of serializing the data again.
 *
 * @example
 * const { hash, dataJson } = hashPayload(event); // hash === payloadHash(event)
 */
export function hashPayload(event: UsageEvent): { hash: string; dataJson: string } {
  const dataJson = canonicalJson(event.data);
  const rest = envelopeRest(event);
  if (rest !== undefined) {
    return { hash: first128(digestPieces(dataJson, rest)), dataJson };
  }
  const json = objectJson(event as unknown as Record<string, unknown>, (k, v) =>
    k === 'data' ? dataJson : canonicalJson(v),
  );
  return { hash: hashOf(json), dataJson };
}

/** The attributes a UsageEvent may have; their canonical order is the sorted one `envelopeJson` writes. */
const ENVELOPE_KEYS = new Set([
  'data',
  'datacontenttype',
  'dataschema',
  'id',
  'source',
  'specversion',
  'subject',
  'time',
  'type',
]);

/**
 * The canonical JSON of an event whose attributes are only the UsageEvent ones (strings, and `data`), after
 * its data: `{"data":<canonical data>` + this is what `objectJson` writes for it, written in the sorted order
 * directly, without sorting the keys and a closure call per attribute. Undefined for anything else (the
 * caller writes it the generic way).
 */
function envelopeRest(event: UsageEvent): string | undefined {
  const e = event as unknown as Record<string, unknown>;
  for (const k in e) if (!ENVELOPE_KEYS.has(k)) return undefined;
  const { id, source, specversion, subject, time, type, datacontenttype: ct, dataschema: ds } = e;
  if (
    typeof id !== 'string' ||
    typeof source !== 'string' ||
    typeof specversion !== 'string' ||
    typeof subject !== 'string' ||
    typeof time !== 'string' ||
    typeof type !== 'string' ||
    (ct !== undefined && typeof ct !== 'string') ||
    (ds !== undefined && typeof ds !== 'string')
  ) {
    return undefined;
  }
  const q = JSON.stringify;
  return (
    (ct !== undefined ? `,"datacontenttype":${q(ct)}` : '') +
    (ds !== undefined ? `,"dataschema":${q(ds)}` : '') +
    `,"id":${q(id)},"source":${q(source)},"specversion":${q(specversion)},"subject":${q(subject)}` +
    `,"time":${q(time)},"type":${q(type)}}`
  );
}

/**
 * The payload hash that tells a duplicate (same hash) from a conflict (same identity, other payload):
 * 128 bits of sha256 over the canonical event, base64url (22 characters). `time` is the normalised UTC
 * instant, so `+01:00` and `Z` spellings of one instant are the same payload.
 */
export function payloadHash(event: UsageEvent): string {
  return hashOf(canonicalJson(event));
}

/** The identity of an event as one string: unambiguous even when `source` or `id` contain separators. */
export function identityKey(source: string, id: string): string {
  return JSON.stringify([source, id]);
}

/** FNV-1a (32 bit) of a string: cheap, stable across runtimes, well spread for shard choice. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The shard of an identity among `count` shards. Depends on the identity only, so a redelivery lands on the same key. */
export function shardOf(identity: string, count: number): number {
  return count <= 1 ? 0 : fnv1a(identity) % count;
}

/** `yyyy-mm-dd` of an instant in UTC: the day segment of the usage key. */
export function utcDay(iso: string): string {
  return iso.slice(0, 10);
}
