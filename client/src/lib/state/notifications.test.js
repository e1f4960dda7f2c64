import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  answer,
  loadMoreNotifications,
  markAllRead,
  markRead,
  notifications,
  settleRequest,
  startNotifications
} from './notifications.svelte.js';

const actor = { id: 2, first_name: 'Bob', last_name: 'Builder', nickname: null, avatar_url: null };
const note = (id, kind, extra = {}) => ({
  id,
  kind,
  actor,
  subject: {},
  state: null,
  read: false,
  created_at: '2025-01-01T10:00:00.000Z',
  ...extra
});
const REQUEST = note(5, 'follow_request', { subject: { request_id: 41 }, state: 'pending' });

/** A socket the test emits on. */
function fakeSocket() {
  const listeners = new Map();
  return {
    subscribe(type, fn) {
      listeners.set(type, fn);
      return () => listeners.delete(type);
    },
    emit(frame) {
      listeners.get(frame.type)?.(frame);
    },
    listeners
  };
}

/** fetch answering `METHOD path` from a table (a function may vary the answer per call). */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const key = `${init?.method ?? 'GET'} ${path}`;
    let answer = table[key] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    if (typeof answer === 'function') answer = answer();
    const [status, body] = answer;
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const calls = (fetch) => fetch.mock.calls.map(([path, init]) => `${init?.method ?? 'GET'} ${path}`);

let socket;
let stop;
async function start(table) {
  const fetch = routes(table);
  socket = fakeSocket();
  stop = startNotifications(socket);
  await vi.waitFor(() => expect(notifications.loaded).toBe(true));
  return fetch;
}
beforeEach(() => {
  stop = null;
});
afterEach(() => stop?.());

const FIRST_PAGE = {
  'GET /api/notifications?limit=20': [200, { items: [REQUEST, note(3, 'new_follower', { read: true })], next: 3 }],
  'GET /api/notifications/unread-count': [200, { count: 1 }]
};

describe('notifications state', () => {
  it('loads the first page and the unread count at start', async () => {
    await start(FIRST_PAGE);
    expect(notifications.items.map((n) => n.id)).toEqual([5, 3]);
    expect(notifications.unreadCount).toBe(1);
    expect(notifications.next).toBe(3);
  });

  it('puts a live notification on top and takes the count from the frame', async () => {
    await start(FIRST_PAGE);
    const fresh = note(9, 'follow_accepted', { subject: { user_id: 2 } });
    socket.emit({ type: 'notification', notification: fresh, unread_count: 2 });
    expect(notifications.items.map((n) => n.id)).toEqual([9, 5, 3]);
    expect(notifications.unreadCount).toBe(2);
    // The same one again (a replay) is not shown twice.
    socket.emit({ type: 'notification', notification: fresh, unread_count: 2 });
    expect(notifications.items.map((n) => n.id)).toEqual([9, 5, 3]);
  });

  it('updates a known notification in place when the server pushes its new state', async () => {
    await start(FIRST_PAGE);
    socket.emit({ type: 'notification', notification: { ...REQUEST, state: 'accepted', read: true }, unread_count: 0 });
    expect(notifications.items.map((n) => [n.id, n.state])).toEqual([
      [5, 'accepted'],
      [3, null]
    ]);
    expect(notifications.unreadCount).toBe(0);
    // An older one not loaded yet (more pages to come) waits for its page.
    socket.emit({ type: 'notification', notification: note(2, 'new_follower'), unread_count: 1 });
    expect(notifications.items.map((n) => n.id)).toEqual([5, 3]);
    expect(notifications.unreadCount).toBe(1);
  });

  it('pages with ?before=', async () => {
    const fetch = await start({
      ...FIRST_PAGE,
      'GET /api/notifications?before=3&limit=20': [200, { items: [note(2, 'new_follower'), note(1, 'new_follower')], next: null }]
    });
    await loadMoreNotifications();
    expect(calls(fetch)).toContain('GET /api/notifications?before=3&limit=20');
    expect(notifications.items.map((n) => n.id)).toEqual([5, 3, 2, 1]);
    expect(notifications.next).toBeNull();
  });

  it('catches up after a reconnect, keeping older pages already loaded', async () => {
    let page = 0;
    const fetch = await start({
      ...FIRST_PAGE,
      'GET /api/notifications?limit=20': () =>
        page++ === 0
          ? [200, { items: [REQUEST, note(3, 'new_follower', { read: true })], next: 3 }]
          : [200, { items: [note(8, 'new_follower'), { ...REQUEST, state: 'accepted' }], next: 5 }],
      'GET /api/notifications?before=3&limit=20': [200, { items: [note(2, 'new_follower')], next: null }],
      'GET /api/notifications/unread-count': () => [200, { count: page === 1 ? 1 : 2 }]
    });
    await loadMoreNotifications();
    socket.emit({ type: 'reconnected' });
    await vi.waitFor(() => expect(notifications.items[0].id).toBe(8));
    expect(notifications.items.map((n) => n.id)).toEqual([8, 5, 3, 2]);
    expect(notifications.items[1].state).toBe('accepted');
    expect(notifications.unreadCount).toBe(2);
    expect(notifications.next).toBeNull();
    expect(calls(fetch).filter((c) => c === 'GET /api/notifications?limit=20')).toHaveLength(2);
  });

  it('keeps a notification that arrives while the first page is loading', async () => {
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path) => {
        if (path === '/api/notifications/unread-count') return Response.json({ count: 0 });
        await gate; // the page was read before the notification existed
        return Response.json({ items: [note(3, 'new_follower', { read: true })], next: null });
      })
    );
    socket = fakeSocket();
    stop = startNotifications(socket);
    socket.emit({ type: 'notification', notification: REQUEST, unread_count: 1 });
    release();
    await vi.waitFor(() => expect(notifications.loaded).toBe(true));
    expect(notifications.items.map((n) => n.id)).toEqual([5, 3]);
    expect(notifications.unreadCount).toBe(1);
  });

  it('accepts a follow request through its own route and shows the outcome', async () => {
    const fetch = await start({
      ...FIRST_PAGE,
      'POST /api/follow-requests/41/accept': [200, { request: { id: 41, status: 'accepted' } }],
      'POST /api/notifications/5/read': [204]
    });
    await answer(notifications.items[0], 'accept');
    expect(notifications.items[0].state).toBe('accepted');
    expect(notifications.items[0].read).toBe(true);
    expect(notifications.unreadCount).toBe(0);
    expect(calls(fetch)).toEqual(expect.arrayContaining(['POST /api/follow-requests/41/accept', 'POST /api/notifications/5/read']));
  });

  it('answers each request kind through its route', async () => {
    const fetch = await start({
      'GET /api/notifications?limit=20': [200, { items: [], next: null }],
      'GET /api/notifications/unread-count': [200, { count: 0 }],
      'POST /api/follow-requests/41/decline': [200, { request: { id: 41, status: 'declined' } }],
      'POST /api/group-invitations/7/accept': [200, { invitation: { id: 7, status: 'accepted' } }],
      'POST /api/group-join-requests/8/decline': [200, { request: { id: 8, status: 'declined' } }]
    });
    const followRequest = { ...REQUEST, read: true };
    const invitation = note(6, 'group_invitation', { subject: { invitation_id: 7, group_id: 1, group_title: 'Go' }, state: 'pending', read: true });
    const joinRequest = note(7, 'group_join_request', { subject: { request_id: 8, group_id: 1, group_title: 'Go' }, state: 'pending', read: true });
    await answer(followRequest, 'decline');
    await answer(invitation, 'accept');
    await answer(joinRequest, 'decline');
    expect([followRequest.state, invitation.state, joinRequest.state]).toEqual(['declined', 'accepted', 'declined']);
    expect(calls(fetch).filter((c) => c.startsWith('POST'))).toEqual([
      'POST /api/follow-requests/41/decline',
      'POST /api/group-invitations/7/accept',
      'POST /api/group-join-requests/8/decline'
    ]);
  });

  it('leaves the state alone when the answer fails, and refuses kinds without answers', async () => {
    await start({ ...FIRST_PAGE, 'POST /api/follow-requests/41/accept': [404, { error: { code: 'not_found', message: 'Gone.' } }] });
    await expect(answer(notifications.items[0], 'accept')).rejects.toMatchObject({ code: 'not_found' });
    expect(notifications.items[0].state).toBe('pending');
    await expect(answer(notifications.items[1], 'accept')).rejects.toThrow(/cannot accept/);
  });

  it('shows an answer given elsewhere on the matching notification', async () => {
    await start({ ...FIRST_PAGE, 'POST /api/notifications/5/read': [204] });
    settleRequest('follow_request', 41, 'declined');
    expect(notifications.items[0].state).toBe('declined');
    expect(notifications.items[0].read).toBe(true);
  });

  it('marks one and all read', async () => {
    const fetch = await start({
      ...FIRST_PAGE,
      'GET /api/notifications/unread-count': [200, { count: 2 }],
      'POST /api/notifications/5/read': [204],
      'POST /api/notifications/read-all': [204]
    });
    await markRead(5);
    expect(notifications.items[0].read).toBe(true);
    expect(notifications.unreadCount).toBe(1);
    await markAllRead();
    expect(notifications.unreadCount).toBe(0);
    expect(notifications.items.every((n) => n.read)).toBe(true);
    expect(calls(fetch)).toEqual(expect.arrayContaining(['POST /api/notifications/5/read', 'POST /api/notifications/read-all']));
  });

  it('forgets everything and stops listening at logout', async () => {
    await start(FIRST_PAGE);
    stop();
    stop = null;
    expect(notifications.items).toEqual([]);
    expect(notifications.unreadCount).toBe(0);
    expect(socket.listeners.size).toBe(0);
  });
});
