// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('$app/state', () => ({ page: { url: new URL('http://localhost/settings/blocks') }, navigating: { to: null } }));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { default: BlocksPage } = await import('./+page.svelte');
const { load } = await import('./+page.js');

const person = (id, first_name) => ({ id, first_name, last_name: 'Tester', nickname: null, avatar_url: null });
const text = () => document.body.textContent.replace(/\s+/g, ' ');
const unblockButton = (name) => document.querySelector(`button[aria-label="Unblock ${name}"]`);

afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
});

describe('blocked people', () => {
  it('lists them, pages on, and unblocks one', async () => {
    const fetch = routes({
      'GET /api/blocks': [200, { items: [person(5, 'Dan')], next: 5 }],
      'GET /api/blocks?before=5': [200, { items: [person(4, 'Eve')], next: null }],
      'DELETE /api/users/5/block': [204]
    });
    await renderRoute(BlocksPage, load, '/settings/blocks');
    expect(text()).toContain('Dan Tester');
    [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Load more').click();
    await vi.waitFor(() => expect(text()).toContain('Eve Tester'));
    unblockButton('Dan Tester').click();
    await vi.waitFor(() => expect(text()).toContain('Dan Tester is unblocked.'));
    expect(unblockButton('Dan Tester')).toBeNull();
    expect(unblockButton('Eve Tester')).not.toBeNull();
    expect(fetch.mock.calls.at(-1)).toEqual(['/api/users/5/block', expect.objectContaining({ method: 'DELETE' })]);
  });

  it('says when nobody is blocked', async () => {
    routes({ 'GET /api/blocks': [200, { items: [], next: null }] });
    await renderRoute(BlocksPage, load, '/settings/blocks');
    expect(text()).toContain("You haven't blocked anyone.");
  });
});
