// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isHttpError } from '@sveltejs/kit';

vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { goto } = await import('$app/navigation');
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { default: PeoplePage } = await import('./+page.svelte');
const { load } = await import('./+page.js');

const person = (id, first_name, extra = {}) => ({
  id,
  first_name,
  last_name: 'Test',
  nickname: null,
  avatar_url: null,
  is_public: true,
  follow_state: 'none',
  ...extra
});

const text = () => document.body.textContent.replace(/\s+/g, ' ');
const button = (label) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);

afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
});

describe('people page', () => {
  it('lists everyone, searches, pages and follows', async () => {
    const fetch = routes({
      'GET /api/users': [200, { items: [person(2, 'Alice'), person(3, 'Carol', { is_public: false })], next: 3 }],
      'GET /api/users?before=3': [200, { items: [person(1, 'Me', { follow_state: 'self' })], next: null }],
      'GET /api/users?q=car': [200, { items: [person(3, 'Carol', { is_public: false })], next: null }],
      'POST /api/users/3/follow': [200, { follow_state: 'requested' }]
    });
    await renderRoute(PeoplePage, load, '/people');
    await vi.waitFor(() => expect(text()).toContain('Alice Test'));
    expect(document.querySelector('a[href="/users/2"]')).not.toBeNull();
    expect(button('Follow')).toBeDefined();
    expect(button('Request to follow')).toBeDefined();

    button('Load more').click();
    await vi.waitFor(() => expect(text()).toContain('Edit profile'));

    const input = document.getElementById('people-search');
    expect(document.querySelector('label[for="people-search"]').textContent).toBe('Search people');
    input.value = 'car';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.form.requestSubmit();
    await vi.waitFor(() => expect(text()).not.toContain('Alice Test'));
    expect(fetch.mock.calls.map(([p]) => p)).toContain('/api/users?q=car');
    expect(goto).toHaveBeenCalledWith('/people?q=car', expect.objectContaining({ replaceState: true, keepFocus: true }));

    button('Request to follow').click();
    await vi.waitFor(() => expect(text()).toContain('Requested'));
  });

  it('says when no one matches', async () => {
    routes({ 'GET /api/users': [200, { items: [], next: null }] });
    await renderRoute(PeoplePage, load, '/people');
    await vi.waitFor(() => expect(text()).toContain('No one here yet.'));
  });

  it('searches what the address asks for, and loads through SvelteKit (a 404 is error(404))', async () => {
    const fetch = routes({ 'GET /api/users?q=carol': [200, { items: [], next: null }] });
    await renderRoute(PeoplePage, load, '/people?q=%20carol%20');
    expect(fetch.mock.calls.map(([p]) => p)).toEqual(['/api/users?q=carol']);
    expect(document.getElementById('people-search').value).toBe('carol');
    expect(text()).toContain('No one matches “carol”.');

    routes({});
    const [err] = await loadFailures(load, ['']);
    expect(isHttpError(err, 404)).toBe(true);
  });
});
