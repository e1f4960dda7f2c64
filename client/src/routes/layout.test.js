// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRawSnippet, flushSync, mount, unmount } from 'svelte';
import { stubApi as routes } from '$lib/testing/route.svelte.js';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/') }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}), invalidateAll: vi.fn(async () => {}) }));
const { goto, invalidateAll } = await import('$app/navigation');
const { session } = await import('$lib/state/session.svelte.js');
const { notifications } = await import('$lib/state/notifications.svelte.js');
const { chats, unreadTotal } = await import('$lib/state/chats.svelte.js');
const { setUser } = await import('$lib/state/session.svelte.js');
const { CLOSE } = await import('$lib/realtime/protocol.js');
const { realtime } = await import('$lib/realtime/socket.svelte.js');
const { default: Layout } = await import('./+layout.svelte');

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', avatar_url: null };
const children = createRawSnippet(() => ({ render: () => '<p id="content">page</p>' }));

const LOGGED_IN = {
  'GET /api/auth/me': [200, { user: ADA }],
  'GET /api/notifications?limit=20': [200, { items: [], next: null }],
  'GET /api/notifications/unread-count': [200, { count: 3 }],
  'POST /api/auth/logout': [204],
  'GET /api/chats': [200, { items: [] }]
};

const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester', nickname: null, avatar_url: null };
const message = (id) => ({
  id,
  conversation: { kind: 'direct', id: 2 },
  sender: BOB,
  body: `m${id}`,
  created_at: '2025-01-01T10:00:00.000Z',
  client_msg_id: null
});
const WITH_BOB = [200, { items: [{ kind: 'direct', id: 2, peer: BOB, last_message: message(5), unread_count: 2 }] }];
const UNAUTHENTICATED = [401, { error: { code: 'unauthenticated', message: 'Log in.' } }];
const messagesCount = () => document.querySelector('[data-testid="messages-count"]')?.textContent;
const called = (fetch, path) => fetch.mock.calls.filter(([p]) => p === path).length;

class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = false;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closed = true;
  }
  /** The server's side: the socket opens, a frame arrives, the server closes it. */
  open() {
    this.onopen?.();
  }
  receive(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code) {
    this.onclose?.({ code });
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
  // jsdom has no matchMedia; the toaster asks it for the colour scheme.
  vi.stubGlobal('matchMedia', (query) => ({
    matches: false,
    media: query,
    addEventListener() {},
    removeEventListener() {}
  }));
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
    expect(nav).toEqual(['Home', 'Explore', 'People', 'Groups', 'Messages']);
    expect(document.querySelector('form[role="search"] input[type="search"]').labels[0].textContent).toBe(
      'Search socialnet'
    );
    expect(document.querySelector('.first-name').textContent).toBe('Ada');
    expect(document.querySelector('a.me').getAttribute('href')).toBe('/users/1');

    // The bell, with the unread count, and the tab's socket.
    const bell = document.querySelector('button[aria-controls="notification-panel"]');
    expect(bell.querySelector('.visually-hidden').textContent).toBe('Notifications');
    await vi.waitFor(() =>
      expect(document.querySelector('[data-testid="notification-count"]')?.textContent).toBe('3')
    );
    // And in the tab's title, in front of the page's own.
    document.title = 'Home · socialnet';
    await vi.waitFor(() => expect(document.title).toBe('(3) Home · socialnet'));
    expect(FakeSocket.all.map((s) => s.url)).toEqual([`ws://${location.host}/ws`]);

    button('Log out').click();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login'));
    expect(fetch.mock.calls.map(([path]) => path)).toContain('/api/auth/logout');
    expect(session.user).toBeNull();
    flushSync();
    expect(FakeSocket.all[0].closed).toBe(true);
    expect(notifications.unreadCount).toBe(0);
    expect(document.title).toBe('Home · socialnet');
  });

  it('sends a logged-in user away from /register', async () => {
    routes(LOGGED_IN);
    render('/register');
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/', { replaceState: true }));
    expect(document.getElementById('content')).toBeNull();
  });

  it('owns the chats: started at login on the tab’s socket, stopped at logout', async () => {
    const fetch = routes({ ...LOGGED_IN, 'GET /api/chats': WITH_BOB });
    render('/');
    await vi.waitFor(() => expect(messagesCount()).toBe('2'));
    expect(called(fetch, '/api/chats')).toBe(1);

    // Live on the socket the layout opened, which at once says what the tab watches.
    FakeSocket.all[0].open();
    await vi.waitFor(() => expect(FakeSocket.all[0].sent).toEqual([{ type: 'watch', feeds: [], posts: [] }]));
    FakeSocket.all[0].receive({ type: 'chat.message', message: message(6) });
    flushSync();
    expect(messagesCount()).toBe('3');

    button('Log out').click();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login'));
    flushSync();
    expect(FakeSocket.all[0].closed).toBe(true);
    expect(chats.conversations).toEqual([]);
    expect(unreadTotal()).toBe(0);

    // Logging in again starts them afresh, on a new socket.
    setUser(ADA);
    flushSync();
    await vi.waitFor(() => expect(messagesCount()).toBe('2'));
    expect(called(fetch, '/api/chats')).toBe(2);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('stops the socket, notifications and chats together when the session ends elsewhere', async () => {
    let loggedIn = true;
    routes({
      ...LOGGED_IN,
      'GET /api/auth/me': () => (loggedIn ? [200, { user: ADA }] : UNAUTHENTICATED),
      'GET /api/chats': WITH_BOB
    });
    render('/');
    await vi.waitFor(() => expect(messagesCount()).toBe('2'));
    await vi.waitFor(() => expect(notifications.unreadCount).toBe(3));
    FakeSocket.all[0].open();
    const stop = vi.spyOn(realtime, 'stop');

    // Logged out in another tab: the server closes the socket, the layout asks who is here.
    loggedIn = false;
    FakeSocket.all[0].drop(CLOSE.SESSION_ENDED);
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/login', { replaceState: true }));
    flushSync();
    expect(session.user).toBeNull();
    expect(stop).toHaveBeenCalledOnce(); // no reconnecting for nobody
    expect(realtime.connected).toBe(false);
    expect(chats.conversations).toEqual([]);
    expect(notifications.unreadCount).toBe(0);
    expect(document.querySelector('[data-realtime]')).toBeNull();
  });

  it('tells when the server cannot be reached, and tries the session and the page again', async () => {
    let reachable = false;
    const fetch = vi.fn(async (path) => {
      if (!reachable) throw new TypeError('Failed to fetch');
      return path === '/api/auth/me' ? Response.json({ user: ADA }) : Response.json({ items: [], next: null, count: 0 });
    });
    vi.stubGlobal('fetch', fetch);
    render('/');
    await vi.waitFor(() => expect(document.querySelector('h1')?.textContent).toBe("We can't reach socialnet right now"));
    expect(document.getElementById('content')).toBeNull();

    reachable = true;
    button('Try again').click();
    await vi.waitFor(() => expect(document.getElementById('content')).not.toBeNull());
    expect(invalidateAll).toHaveBeenCalledOnce(); // the page's load failed alike: it runs again
  });
});
