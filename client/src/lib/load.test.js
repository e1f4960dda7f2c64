import { describe, expect, it, vi } from 'vitest';
import { isHttpError, isRedirect } from '@sveltejs/kit';

const navigating = vi.hoisted(() => ({ to: null }));
vi.mock('$app/state', () => ({ navigating }));
vi.mock('$app/navigation', () => ({ invalidate: vi.fn(async () => {}) }));
const { invalidate } = await import('$app/navigation');
const { getPost } = await import('./api.js');
const { idParam, loaded, reload } = await import('./load.js');

const MISSING = { title: 'Gone', message: 'Not here.' };

function answer(status, body) {
  vi.stubGlobal('fetch', vi.fn(async () => Response.json(body, { status })));
}
const failure = (promise) => promise.then(() => null, (err) => err);

describe('loaded', () => {
  it('gives the answer through', async () => {
    answer(200, { post: { id: 4 } });
    expect(await loaded(getPost(4), MISSING)).toEqual({ post: { id: 4 } });
  });

  it('turns a 404 into the error page’s 404, in the words given', async () => {
    answer(404, { error: { code: 'not_found', message: 'No such post.' } });
    const err = await failure(loaded(getPost(4), MISSING));
    expect(isHttpError(err, 404)).toBe(true);
    expect(err.body).toEqual(MISSING);
  });

  it('sends an ended session back to /login', async () => {
    answer(401, { error: { code: 'unauthenticated', message: 'Log in.' } });
    const err = await failure(loaded(getPost(4), MISSING));
    expect(isRedirect(err)).toBe(true);
    expect(err.location).toBe('/login');
  });

  it('shows any other failure with its message; an unreachable server is a 503', async () => {
    answer(429, { error: { code: 'rate_limited', message: 'Slow down.' } });
    const limited = await failure(loaded(getPost(4), MISSING));
    expect(isHttpError(limited, 429)).toBe(true);
    expect(limited.body).toEqual({ title: 'Something went wrong', message: 'Slow down.' });

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    const offline = await failure(loaded(getPost(4), MISSING));
    expect(isHttpError(offline, 503)).toBe(true);
    expect(offline.body.message).toMatch(/Could not reach socialnet/);
  });
});

describe('idParam', () => {
  it('takes positive integers only; anything else is missing', () => {
    expect(idParam('12', MISSING)).toBe(12);
    for (const bad of ['0', '-3', '1.5', 'abc', '']) {
      let thrown;
      try {
        idParam(bad, MISSING);
      } catch (err) {
        thrown = err;
      }
      expect(isHttpError(thrown, 404)).toBe(true);
      expect(thrown.body).toEqual(MISSING);
    }
  });
});

describe('reload', () => {
  it('runs the loads that depend on the key again, unless a navigation is on its way', async () => {
    await reload('app:profile');
    expect(invalidate).toHaveBeenCalledWith('app:profile');

    navigating.to = { url: new URL('http://localhost/people') };
    await reload('app:profile');
    expect(invalidate).toHaveBeenCalledOnce(); // the click elsewhere wins
    navigating.to = null;
  });
});
