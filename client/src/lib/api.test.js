import { describe, expect, it, vi } from 'vitest';
import { ApiError, getPost, login, me, onUnauthenticated, register, send, withQuery } from './api.js';

function jsonResponse(status, body) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

function stubFetch(impl) {
  const fetch = vi.fn(impl);
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('send', () => {
  it('turns a 422 error body into an ApiError with code, message and fields', async () => {
    stubFetch(async () =>
      jsonResponse(422, {
        error: {
          code: 'validation_error',
          message: 'Some fields need attention.',
          fields: { password: 'Use at least 8 characters.' }
        }
      })
    );
    const err = await send('POST', '/api/auth/login', { json: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_error');
    expect(err.message).toBe('Some fields need attention.');
    expect(err.fields).toEqual({ password: 'Use at least 8 characters.' });
  });

  it('returns null for 204 No Content', async () => {
    stubFetch(async () => new Response(null, { status: 204 }));
    await expect(send('POST', '/api/auth/logout')).resolves.toBeNull();
  });

  it('returns the parsed body of a success', async () => {
    stubFetch(async () => jsonResponse(200, { user: { id: 1 } }));
    await expect(me()).resolves.toEqual({ user: { id: 1 } });
  });

  it('turns a network failure into ApiError network_error', async () => {
    stubFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await send('GET', '/api/auth/me').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('network_error');
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/reach/);
  });

  it('maps a failure without contract JSON to a code from its status', async () => {
    stubFetch(async () => new Response('<html>Request Entity Too Large</html>', { status: 413 }));
    const err = await send('POST', '/api/auth/register', { form: new FormData() }).catch((e) => e);
    expect(err.code).toBe('payload_too_large');
    expect(err.fields).toEqual({});

    stubFetch(async () => new Response('Bad Gateway', { status: 502 }));
    expect((await me().catch((e) => e)).code).toBe('server_error');
  });

  it('sends JSON with a content type and same-origin credentials', async () => {
    const fetch = stubFetch(async () => jsonResponse(200, { user: { id: 1 } }));
    await login('ada@example.com', 'secret-pass');
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe('/api/auth/login');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ email: 'ada@example.com', password: 'secret-pass' });
  });

  it('sends FormData as is and leaves the content type to the browser', async () => {
    const fetch = stubFetch(async () => jsonResponse(201, { user: { id: 2 } }));
    const form = new FormData();
    form.append('email', 'ada@example.com');
    await register(form);
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe('/api/auth/register');
    expect(init.body).toBe(form);
    expect(init.credentials).toBe('same-origin');
    expect(init.headers['Content-Type']).toBeUndefined();
  });

  it('uses the fetch it is given (a load function’s), else the browser’s', async () => {
    const browser = stubFetch(async () => jsonResponse(200, { post: { id: 1 } }));
    const given = vi.fn(async () => jsonResponse(200, { post: { id: 4 } }));
    expect(await getPost(4, { fetch: given })).toEqual({ post: { id: 4 } });
    expect(given).toHaveBeenCalledWith('/api/posts/4', expect.objectContaining({ method: 'GET' }));
    expect(browser).not.toHaveBeenCalled();
    expect(await getPost(1)).toEqual({ post: { id: 1 } });
    expect(browser).toHaveBeenCalledOnce();
  });

  it('tells listeners when the session is gone, but not on wrong credentials', async () => {
    const listener = vi.fn();
    const stop = onUnauthenticated(listener);
    stubFetch(async () =>
      jsonResponse(401, { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } })
    );
    const err = await login('a@b.c', 'x').catch((e) => e);
    expect(err.message).toBe('Wrong email or password.');
    expect(listener).not.toHaveBeenCalled();

    stubFetch(async () => jsonResponse(401, { error: { code: 'unauthenticated', message: 'Log in.' } }));
    await me().catch(() => {});
    expect(listener).toHaveBeenCalledOnce();
    stop();
  });
});

describe('withQuery', () => {
  it('adds only the parameters that have a value', () => {
    expect(withQuery('/api/feed', { before: 40, limit: 20, q: '' })).toBe('/api/feed?before=40&limit=20');
    expect(withQuery('/api/feed', { before: null })).toBe('/api/feed');
  });
});
