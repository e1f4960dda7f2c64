// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/') }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { session } = await import('$lib/state/session.svelte.js');
const { notifications } = await import('$lib/state/notifications.svelte.js');
const { default: Layout } = await import('./+layout.svelte');

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', avatar_url: null };
const children = createRawSnippet(() => ({ render: () => '<p id="content">page</p>' }));

/** Answer each path with [status, body]; anything else is a 404. */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const key = `${init?.method ?? 'GET'} ${path}`;
    const [status, body] = table[key] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

const LOGGED_IN = {
  'GET /api/auth/me': [200, { user: ADA }],
  'GET /api/notifications?limit=20': [200, { items: [], next: null }],
  'GET /api/notifications/unread-count': [200, { count: 3 }],
  'POST /api/auth/logout': [204]
};

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = false;
    FakeSocket.all.push(this);
  }
  send() {}
  close() {
    this.closed = true;
  }
}

let layout;
function render(path) {
  page.url = new URL(path, 'http://localhost');
  layout = mount(Layout, { target: document.body, props: { children } });
  flushSync();
}
const button = (text) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal('WebSocket', FakeSocket);
});
afterEach(() => {
  unmount(layout);
  document.body.innerHTML = '';
});

describe('layout', () => {
  it('sends a visitor without a session to /login and shows no page', async () => {
    routes({ 'GET /api/auth/me': [401, { error: { code: 'unauthenticated', message: 'Log in.' } }] });
    render('/');
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login', { replaceState: true }));
    expect(document.getElementById('content')).toBeNull();
    expect(document.querySelector('a[href="/register"]').textContent).toBe('Register');
    expect(FakeSocket.all).toEqual([]);
  });

  it('shows the top bar and the page to a logged-in user, and logs out', async () => {
    const fetch = routes(LOGGED_IN);
    render('/');
    await vi.waitFor(() => expect(document.getElementById('content')).not.toBeNull());
    expect(document.querySelector('.brand').textContent).toBe('socialnet');
    const nav = [...document.querySelectorAll('nav[aria-label="Main"] a')].map((a) => a.textContent.trim());
    expect(nav).toEqual(['Home', 'People', 'Groups', 'Messages']);
    expect(document.querySelector('.first-name').textContent).toBe('Ada');
    expect(document.querySelector('a.me').getAttribute('href')).toBe('/users/1');

    // The bell, with the unread count, and the tab's socket.
    expect(document.querySelector('button[aria-label="Notifications"]')).not.toBeNull();
    await vi.waitFor(() =>
      expect(document.querySelector('[data-testid="notification-count"]')?.textContent).toBe('3')
    );
    expect(FakeSocket.all.map((s) => s.url)).toEqual([`ws://${location.host}/ws`]);

    button('Log out').click();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login'));
    expect(fetch.mock.calls.map(([path]) => path)).toContain('/api/auth/logout');
    expect(session.user).toBeNull();
    flushSync();
    expect(FakeSocket.all[0].closed).toBe(true);
    expect(notifications.unreadCount).toBe(0);
  });

  it('sends a logged-in user away from /register', async () => {
    routes(LOGGED_IN);
    render('/register');
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/', { replaceState: true }));
    expect(document.getElementById('content')).toBeNull();
  });
});
