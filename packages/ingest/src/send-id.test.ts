import { describe, expect, it } from 'vitest';
import { decodeMessage, unitId } from './decode.js';
import { ingestPolicy } from './policy.js';
import { SEND_ID_ATTRIBUTE, SendIdAttributeSchema, sendIdOf } from './send-id.js';

const good = 'Qm9uam91ciB0YWxseSEhIQ';

describe('sendIdOf', () => {
  it('reads a well-formed send id', () => {
    const attrs = { [SEND_ID_ATTRIBUTE]: { dataType: 'String', stringValue: good, stringListValues: [] } };
    expect(sendIdOf(attrs)).toEqual({ sendId: good });
  });

  it.each([
    ['the shortest', 'a'.repeat(16)],
    ['the longest', 'Z'.repeat(64)],
    ['all of the alphabet', 'AZaz09_-AZaz09_-'],
  ])('accepts exactly what the schema accepts (%s)', (_, value) => {
    const attribute = { dataType: 'String', stringValue: value };
    expect(SendIdAttributeSchema.safeParse(attribute).success).toBe(true);
    expect(sendIdOf({ [SEND_ID_ATTRIBUTE]: attribute })).toEqual({ sendId: value });
  });

  it.each([
    ['no attributes at all', undefined],
    ['no send id among the attributes', { other: { dataType: 'String', stringValue: 'x' } }],
  ])('says nothing when there is %s', (_, attrs) => {
    expect(sendIdOf(attrs)).toEqual({});
  });

  it.each([
    ['a number type', { dataType: 'Number', stringValue: good }],
    ['a binary value', { dataType: 'Binary', binaryValue: 'AAAA' }],
    ['too short', { dataType: 'String', stringValue: 'abc' }],
    ['too long', { dataType: 'String', stringValue: 'a'.repeat(65) }],
    ['characters outside base64url', { dataType: 'String', stringValue: `${good}/+` }],
    ['not an object', 'Qm9uam91ciB0YWxseSEhIQ'],
  ])('names the problem of a malformed attribute (%s)', (_, attribute) => {
    const got = sendIdOf({ [SEND_ID_ATTRIBUTE]: attribute });
    expect(got.sendId).toBeUndefined();
    expect(got.problem).toMatch(/^message attribute tally-send-id: /);
  });
});

describe('unitId', () => {
  it('names a unit by its origin when the message has one, by its message id otherwise', () => {
    const policy = ingestPolicy();
    const body = JSON.stringify([{ a: 1 }, { b: 2 }]);
    const stamped = decodeMessage({ messageId: 'm-2', origin: good, body }, policy);
    const bare = decodeMessage({ messageId: 'm-2', body }, policy);
    expect(stamped.map(unitId)).toEqual([`${good}.0`, `${good}.1`]);
    expect(bare.map(unitId)).toEqual(['m-2.0', 'm-2.1']);
  });
});
