// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/search') }));
vi.mock('$app/state', () => ({ page, navigating: { to: null } }));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { navigation, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { session } = await import('$lib/state/session.svelte.js');
const { default: SearchPage } = await import('./+page.svelte');
const { load } = await import('./+page.js');

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', nickname: null, avatar_url: null, is_public: true, follow_state: 'none' };
const GROUP = { id: 3, title: 'Chess club', description: 'Openings', creator: ADA, members_count: 2, my_state: 'none' };
const POST = { id: 9, author: ADA, body: 'Chess tonight?', image_url: null, privacy: 'public', group_id: null, created_at: '2025-01-01T10:00:00Z', edited_at: null, comments_count: 0, reactions: {}, my_reaction: null };

const text = () => document.body.textContent.replace(/\s+/g, ' ');
const tab = (label) => [...document.querySelectorAll('[role="tab"]')].find((t) => t.textContent.trim() === label);
const render = (href) => renderRoute(SearchPage, load, href, {}, { page });

beforeEach(() => (session.user = { ...ADA, id: 2 }));
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  session.user = null;
});

describe('search page', () => {
  it('shows people first, pages on, and moves to the groups and posts tabs', async () => {
    const fetch = routes({
      'GET /api/search?q=ches&type=people': [200, { items: [ADA], next: 1 }],
      'GET /api/search?q=ches&type=people&before=1': [200, { items: [{ ...ADA, id: 7, first_name: 'Chester' }], next: null }],
      'GET /api/search?q=ches&type=groups': [200, { items: [GROUP], next: null }],
      'GET /api/search?q=ches&type=posts': [200, { items: [POST], next: null }]
    });
    await render('/search?q=%20ches%20');
    expect(document.querySelector('h1').textContent.trim()).toBe('Results for “ches”');
    expect(tab('People').getAttribute('aria-selected')).toBe('true');
    expect(text()).toContain('Ada Lovelace');
    expect([...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Follow')).toBe(true);
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Load more').click();
    await vi.waitFor(() => expect(text()).toContain('Chester Lovelace'));

    tab('Groups').click();
    await vi.waitFor(() => expect(text()).toContain('Chess club'));
    expect(navigation.goto).toHaveBeenLastCalledWith('/search?q=ches&type=groups', expect.anything());
    expect(tab('Groups').getAttribute('aria-selected')).toBe('true');

    tab('Groups').dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await vi.waitFor(() => expect(document.querySelector('article')?.textContent).toContain('Chess tonight?'));
    expect(tab('Posts').getAttribute('aria-selected')).toBe('true');
    expect(fetch.mock.calls.map(([p]) => p)).toEqual([
      '/api/search?q=ches&type=people',
      '/api/search?q=ches&type=people&before=1',
      '/api/search?q=ches&type=groups',
      '/api/search?q=ches&type=posts'
    ]);
  });

  it('says when nothing matches', async () => {
    routes({ 'GET /api/search?q=zzz&type=posts': [200, { items: [], next: null }] });
    await render('/search?q=zzz&type=posts');
    expect(text()).toContain('No post matches “zzz”.');
  });

  it('shows the server’s word on a query it refuses', async () => {
    const long = 'x'.repeat(201);
    routes({
      [`GET /api/search?q=${long}&type=people`]: [
        422,
        { error: { code: 'validation_error', message: 'Check the fields.', fields: { q: 'at most 200 characters' } } }
      ]
    });
    await render(`/search?q=${long}`);
    expect(document.querySelector('[role="alert"]').textContent).toBe("Can't search for that: at most 200 characters.");
  });

  it('asks nothing without a query', async () => {
    const fetch = routes({});
    await render('/search');
    flushSync();
    expect(text()).toContain('Type in the search box at the top');
    expect(fetch).not.toHaveBeenCalled();
  });
});
