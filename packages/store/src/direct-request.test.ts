import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../test-support/node-sha256.js';
import { isRetryableRequestError, signRequest } from './direct-request.js';

describe('signRequest', () => {
  it.each([
    ['static credentials', undefined],
    ['a session token', 'token/with+chars=='],
  ])('signs as @smithy/signature-v4 does, with %s', async (_, sessionToken) => {
    const body = Buffer.from('{"Statements":[],"ReturnConsumedCapacity":"TOTAL"}');
    const date = new Date('2026-03-04T05:06:07.890Z');
    const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret/key', sessionToken };
    const ours = signRequest({
      target: 'DynamoDB_20120810.BatchExecuteStatement',
      host: 'dynamodb.eu-west-1.amazonaws.com',
      body,
      region: 'eu-west-1',
      date,
      ...credentials,
    });
    const signer = new SignatureV4({
      credentials,
      region: 'eu-west-1',
      service: 'dynamodb',
      sha256: Sha256,
      applyChecksum: false,
    });
    const theirs = await signer.sign(
      {
        method: 'POST',
        protocol: 'https:',
        hostname: 'dynamodb.eu-west-1.amazonaws.com',
        path: '/',
        query: {},
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.BatchExecuteStatement',
          host: 'dynamodb.eu-west-1.amazonaws.com',
        },
        body,
      },
      { signingDate: date },
    );
    expect(ours.authorization).toBe(theirs.headers.authorization);
    expect(ours['x-amz-date']).toBe('20260304T050607Z');
    expect(ours['x-amz-security-token']).toBe(sessionToken);
  });

  it('changes the signature with the body (the payload hash is signed)', () => {
    const base = {
      target: 'DynamoDB_20120810.GetItem',
      host: 'h',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      date: new Date('2026-01-01T00:00:00Z'),
    };
    const a = signRequest({ ...base, body: Buffer.from('{"a":1}') });
    const b = signRequest({ ...base, body: Buffer.from('{"a":2}') });
    expect(a.authorization).not.toBe(b.authorization);
  });
});

describe('isRetryableRequestError', () => {
  it.each([
    [{ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }, true],
    [{ name: 'ProvisionedThroughputExceededException' }, true],
    [{ name: 'Whatever', $metadata: { httpStatusCode: 429 } }, true],
    [{ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }, true],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
    [{ name: 'TimeoutError' }, true],
    [{ name: 'ValidationException', $metadata: { httpStatusCode: 400 } }, false],
    [{ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }, false],
    ['a string', false],
  ])('%o: %s', (err, retryable) => {
    expect(isRetryableRequestError(err)).toBe(retryable);
  });
});
