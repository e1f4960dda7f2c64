import { describe, expect, it, vi } from 'vitest';
import { providerStartUrl } from '$lib/api.js';
import { loadProviders, signInProblem } from './providers.js';

describe('sign-in providers', () => {
  it('starts a provider sign-in with where to go next', () => {
    expect(providerStartUrl('local', '/groups')).toBe('/api/auth/oidc/local/start?next=%2Fgroups');
    expect(providerStartUrl('a b')).toBe('/api/auth/oidc/a%20b/start?next=%2F');
  });

  it('explains each refusal, and nothing without one', () => {
    expect(signInProblem(null)).toBe('');
    expect(signInProblem('state')).toMatch(/could not be checked/);
    expect(signInProblem('email_unverified')).toMatch(/Log in with your password/);
    expect(signInProblem('something-new')).toBe('The sign-in did not work. Please try again.');
  });

  it('lists the providers, and none when the list cannot be had', async () => {
    const ok = vi.fn(async () => new Response(JSON.stringify({ items: [{ name: 'x', label: 'X' }] })));
    expect(await loadProviders(ok)).toEqual([{ name: 'x', label: 'X' }]);
    const down = vi.fn(async () => {
      throw new TypeError('offline');
    });
    expect(await loadProviders(down)).toEqual([]);
  });
});
