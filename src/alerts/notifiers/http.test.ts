/** @module Failures of HTTP receivers become safe messages: refused, error status, redirect, time limit. */
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout } from '../../../test/support/alert-fixtures.js';
import { refusedUrl, startReceiver, type Receiver } from '../../../test/support/loopback-receiver.js';
import { encodeHeaderWord, postToReceiver, reasonOf } from './http.js';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const post = (url: string) => ({ url, headers: { 'Content-Type': 'text/plain' }, body: 'hello' });

describe('postToReceiver', () => {
  it('accepts any 2xx', async () => {
    receiver = await startReceiver(() => ({ status: 202, body: 'queued' }));
    expect(await postToReceiver(fetch, post(`${receiver.origin}/x`), noTimeout)).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it('reports an error status with the start of the answer, naming only the host', async () => {
    receiver = await startReceiver(() => ({ status: 500, body: 'database\r\nis down' }));
    const result = await postToReceiver(fetch, post(`${receiver.origin}/secret-path/abc?token=t`), noTimeout);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'alerts.http-status',
        message: `${new URL(receiver.origin).host} answered 500 Internal Server Error: database is down`,
      },
    });
  });

  it('does not follow redirects', async () => {
    receiver = await startReceiver(() => ({
      status: 301,
      headers: { location: 'http://127.0.0.1:1/elsewhere' },
    }));
    const result = await postToReceiver(fetch, post(`${receiver.origin}/moved`), noTimeout);
    expect(result.ok ? '' : result.error.code).toBe('alerts.redirect');
    expect(receiver.requests).toHaveLength(1);
  });

  it('reports a refused connection', async () => {
    const url = await refusedUrl();
    const result = await postToReceiver(fetch, post(url), noTimeout);
    expect(result).toEqual({
      ok: false,
      error: { code: 'alerts.unreachable', message: `connection refused by ${new URL(url).host}` },
    });
  });

  it('gives up when the signal aborts', async () => {
    receiver = await startReceiver(() => 'hang');
    const controller = new AbortController();
    const pending = postToReceiver(fetch, post(`${receiver.origin}/slow`), controller.signal);
    await receiver.next();
    controller.abort(new DOMException('time is up', 'TimeoutError'));
    const result = await pending;
    expect(result.ok ? '' : result.error.code).toBe('alerts.timeout');
  });

  it('says in words that a port fetch refuses cannot be used, instead of fetch\'s "bad port"', async () => {
    // Port 6000 (X11) is on the Fetch standard's list; fetch refuses it before connecting, so nothing listens.
    const result = await postToReceiver(fetch, post('http://127.0.0.1:6000/hook'), noTimeout);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'alerts.unreachable',
        message:
          '127.0.0.1:6000 is on a port reserved for another protocol, so web requests to it are refused; use another port',
      },
    });
  });

  it('gives the reason from a JSON error answer, not the JSON itself', async () => {
    receiver = await startReceiver(() => ({
      status: 400,
      body: '{"code":40001,"http":400,"error":"invalid request: topic invalid"}',
    }));
    const result = await postToReceiver(fetch, post(`${receiver.origin}/x`), noTimeout);
    expect(result.ok ? '' : result.error.message).toBe(
      `${new URL(receiver.origin).host} answered 400 Bad Request: invalid request: topic invalid`,
    );
  });
});

describe('reasonOf', () => {
  it.each([
    ['plain words', 'database\r\nis down', 'database is down'],
    [
      'Gotify',
      '{"error":"Unauthorized","errorCode":401,"errorDescription":"you need to provide a valid access token"}',
      'you need to provide a valid access token',
    ],
    ['nested error object', '{"error":{"code":7,"message":"quota exceeded"}}', 'quota exceeded'],
    ['a list of errors', '{"errors":[{"message":"bad field"}]}', 'bad field'],
    ['JSON without a reason', '{"ok":false,"n":3}', ''],
    ['broken JSON as text', '{"error":', '{"error":'],
    ['an HTML page', '<!doctype html><h1>502 Bad Gateway</h1>', ''],
    ['nothing', '   ', ''],
  ])('%s', (_what, body, expected) => {
    expect(reasonOf(body)).toBe(expected);
  });

  it('cuts a long reason to 200 characters', () => {
    expect(Array.from(reasonOf(`{"message":"${'x'.repeat(300)}"}`))).toHaveLength(200);
  });
});

describe('encodeHeaderWord', () => {
  it.each([
    ['plain ASCII', 'plain ASCII'],
    ['two\r\nlines', 'two lines'],
    ['Größe ⚠', `=?UTF-8?B?${Buffer.from('Größe ⚠').toString('base64')}?=`],
  ])('%j → %j', (input, expected) => {
    expect(encodeHeaderWord(input)).toBe(expected);
  });
});
