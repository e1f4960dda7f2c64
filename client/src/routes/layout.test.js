// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/') }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { session } = await import('$lib/state/session.svelte.js');
const { default: Layout } = await import('./+layout.svelte');

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', avatar_url: null };
const children = createRawSnippet(() => ({ render: () => '<p id="content">page</p>' }));

function answers(...responses) {
  const fetch = vi.fn();
  for (const [status, body] of responses)
    fetch.mockImplementationOnce(async () =>
      status === 204 ? new Response(null, { status }) : Response.json(body, { status })
    );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

let layout;
function render(path) {
  page.url = new URL(path, 'http://localhost');
  layout = mount(Layout, { target: document.body, props: { children } });
  flushSync();
}
const button = (text) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);

afterEach(() => {
  unmount(layout);
  document.body.innerHTML = '';
});

describe('layout', () => {
  it('sends a visitor without a session to /login and shows no page', async () => {
    answers([401, { error: { code: 'unauthenticated', message: 'Log in.' } }]);
    render('/');
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login', { replaceState: true }));
    expect(document.getElementById('content')).toBeNull();
    expect(document.querySelector('a[href="/register"]').textContent).toBe('Register');
  });

  it('shows the top bar and the page to a logged-in user, and logs out', async () => {
    const fetch = answers([200, { user: ADA }], [204]);
    render('/');
    await vi.waitFor(() => expect(document.getElementById('content')).not.toBeNull());
    expect(document.querySelector('.brand').textContent).toBe('socialnet');
    expect(document.querySelector('nav[aria-label="Main"]').textContent.trim()).toBe('Home');
    expect(document.querySelector('.first-name').textContent).toBe('Ada');

    button('Log out').click();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login'));
    expect(fetch.mock.calls[1][0]).toBe('/api/auth/logout');
    expect(session.user).toBeNull();
  });

  it('sends a logged-in user away from /register', async () => {
    answers([200, { user: ADA }]);
    render('/register');
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/', { replaceState: true }));
    expect(document.getElementById('content')).toBeNull();
  });
});
