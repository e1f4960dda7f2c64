import { describe, expect, it, vi } from 'vitest';
import { session, loadSession, setUser, clearSession } from './session.svelte.js';

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', avatar_url: null };

function answer(status, body) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status }))
  );
}

describe('session', () => {
  it('holds the user from /api/auth/me', async () => {
    answer(200, { user: ADA });
    await loadSession();
    expect(session.loading).toBe(false);
    expect(session.user).toEqual(ADA);
    expect(session.error).toBeNull();
  });

  it('is logged out, without error, on 401', async () => {
    answer(401, { error: { code: 'unauthenticated', message: 'Log in first.' } });
    await loadSession();
    expect(session.user).toBeNull();
    expect(session.error).toBeNull();
  });

  it('keeps the error when the server cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    await loadSession();
    expect(session.user).toBeNull();
    expect(session.error.code).toBe('network_error');
  });

  it('sets and clears the user', () => {
    setUser(ADA);
    expect(session.user).toEqual(ADA);
    clearSession();
    expect(session.user).toBeNull();
  });
});
