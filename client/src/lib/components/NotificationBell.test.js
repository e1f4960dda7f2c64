// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import NotificationBell from './NotificationBell.svelte';
import { notifications, receiveNotification } from '$lib/state/notifications.svelte.js';

const bob = { id: 2, first_name: 'Bob', last_name: 'Builder', nickname: null, avatar_url: null };
const REQUEST = {
  id: 5,
  kind: 'follow_request',
  actor: bob,
  subject: { request_id: 41 },
  state: 'pending',
  read: false,
  created_at: new Date().toISOString()
};

const bell = () => document.querySelector('button[aria-controls="notification-panel"]');
const badge = () => document.querySelector('[data-testid="notification-count"]');
const panel = () => document.querySelector('[role="dialog"]');
const button = (text) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === text);

function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const [status, body] = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

let component;
beforeEach(() => {
  Object.assign(notifications, { items: [], next: null, unreadCount: 0, loading: false, loaded: true, error: null });
  component = mount(NotificationBell, { target: document.body });
  flushSync();
});
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
});

describe('NotificationBell', () => {
  it('shows the unread count on the badge, none at 0, and updates live', () => {
    // Named by its words, not an aria-label that would differ from the count it shows.
    expect(bell().textContent.trim()).toBe('Notifications');
    expect(bell().hasAttribute('aria-label')).toBe(false);
    expect(badge()).toBeNull();
    expect(bell().getAttribute('aria-expanded')).toBe('false');
    receiveNotification({ type: 'notification', notification: REQUEST, unread_count: 1 });
    flushSync();
    expect(badge().textContent).toBe('1');
    notifications.unreadCount = 250;
    flushSync();
    expect(badge().textContent).toBe('99+');
  });

  it('opens a panel without marking anything read; Escape closes it and returns focus', () => {
    const fetch = routes({});
    receiveNotification({ type: 'notification', notification: REQUEST, unread_count: 1 });
    bell().click();
    flushSync();
    expect(panel()).not.toBeNull();
    expect(panel().textContent).toContain('Bob Builder wants to follow you.');
    expect(panel().querySelector('a[href="/notifications"]').textContent).toBe('See all');
    expect(fetch).not.toHaveBeenCalled();
    expect(notifications.unreadCount).toBe(1);

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(panel()).toBeNull();
    expect(document.activeElement).toBe(bell());
  });

  it('closes on a click outside', () => {
    bell().click();
    flushSync();
    document.body.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    flushSync();
    expect(panel()).toBeNull();
  });

  it('accepts a follow request right in the notification', async () => {
    const fetch = routes({
      'POST /api/follow-requests/41/accept': [200, { request: { id: 41, status: 'accepted' } }],
      'POST /api/notifications/5/read': [204]
    });
    receiveNotification({ type: 'notification', notification: REQUEST, unread_count: 1 });
    bell().click();
    flushSync();
    button('Accept').click();
    await vi.waitFor(() => expect(panel().textContent).toContain('Accepted'));
    expect(button('Accept')).toBeUndefined();
    expect(badge()).toBeNull();
    expect(fetch.mock.calls.map(([path]) => path)).toContain('/api/follow-requests/41/accept');
  });

  it('marks all as read on request', async () => {
    const fetch = routes({ 'POST /api/notifications/read-all': [204] });
    receiveNotification({ type: 'notification', notification: REQUEST, unread_count: 1 });
    bell().click();
    flushSync();
    button('Mark all as read').click();
    flushSync();
    expect(badge()).toBeNull();
    expect(notifications.items[0].read).toBe(true);
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());
  });

  it('marks a notification read when it is opened, and closes', () => {
    const fetch = routes({ 'POST /api/notifications/9/read': [204] });
    const follower = { ...REQUEST, id: 9, kind: 'new_follower', subject: { user_id: 2 }, state: null };
    receiveNotification({ type: 'notification', notification: follower, unread_count: 1 });
    bell().click();
    flushSync();
    const link = panel().querySelector('a[href="/users/2"]');
    link.addEventListener('click', (event) => event.preventDefault()); // jsdom does not navigate
    link.click();
    flushSync();
    expect(notifications.unreadCount).toBe(0);
    expect(panel()).toBeNull();
    expect(fetch.mock.calls[0][0]).toBe('/api/notifications/9/read');
  });
});
