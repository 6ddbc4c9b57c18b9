import { hash } from 'node:crypto';
import type { UsageEvent } from '@tally/metering';

/**
 * JSON with object keys sorted at every level, so two encodings of the same payload hash alike. Built by
 * appending to one string (it runs for every event: no per-key arrays or closures).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
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
  const full = hash('sha256', canonical, 'base64url');
  return full.slice(0, 21) + BASE64URL[BASE64URL.indexOf(full[21]!) & 0b110000];
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
  const obj = event as unknown as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${k === 'data' ? dataJson : canonicalJson(v)}`;
    first = false;
  }
  return { hash: hashOf(`${out}}`), dataJson };
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
