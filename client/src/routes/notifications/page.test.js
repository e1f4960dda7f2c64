// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isHttpError } from '@sveltejs/kit';

// The tab's socket, as far as this page uses it: frames the test hands to its listeners.
const socket = vi.hoisted(() => ({ listeners: new Set() }));
vi.mock('$lib/realtime/socket.svelte.js', () => ({
  subscribe: (type, fn) => {
    const entry = { type, fn };
    socket.listeners.add(entry);
    return () => socket.listeners.delete(entry);
  }
}));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { default: NotificationsPage } = await import('./+page.svelte');
const { notifications } = await import('$lib/state/notifications.svelte.js');
const { load } = await import('./+page.js');

const card = (id, first_name) => ({ id, first_name, last_name: 'Tester', nickname: null, avatar_url: null });
const request = (id, from) => ({ id, from, created_at: '2025-01-01T10:00:00Z' });
const text = () => document.body.textContent.replace(/\s+/g, ' ');
function receive(frame) {
  for (const { type, fn } of socket.listeners) if (type === frame.type) fn(frame);
}

afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
});

describe('notifications page', () => {
  it('shows the pending follow requests it loaded, and reloads them when a new one arrives', async () => {
    let pending = [request(41, card(2, 'Bob'))];
    const fetch = routes({ 'GET /api/follow-requests': () => [200, { items: pending, next: null }] });
    await renderRoute(NotificationsPage, load, '/notifications');
    expect(document.getElementById('requests-title').textContent).toBe('Follow requests');
    expect(text()).toContain('Bob Tester');

    pending = [request(42, card(3, 'Carol')), ...pending];
    const notification = { id: 9, kind: 'follow_request', actor: card(3, 'Carol'), subject: { request_id: 42 } };
    receive({ type: 'notification', notification, unread_count: 1 });
    await vi.waitFor(() => expect(text()).toContain('Carol Tester'));
    expect(fetch.mock.calls.filter(([p]) => p === '/api/follow-requests')).toHaveLength(2);
  });

  it('lists a pending request once: in the requests card, not again among the notifications', async () => {
    const bob = card(2, 'Bob');
    const asked = { id: 9, kind: 'follow_request', actor: bob, subject: { request_id: 41 }, state: 'pending', read: false, created_at: '2025-01-01T10:00:00Z' };
    const old = { ...asked, id: 8, subject: { request_id: 40 }, state: 'accepted', read: true };
    Object.assign(notifications, { items: [asked, old], next: null, loaded: true, unreadCount: 1 });
    routes({ 'GET /api/follow-requests': [200, { items: [request(41, bob)], next: null }] });
    await renderRoute(NotificationsPage, load, '/notifications');
    const buttons = [...document.querySelectorAll('button')].map((b) => b.getAttribute('aria-label') ?? b.textContent.trim());
    expect(buttons.filter((name) => name.startsWith('Accept'))).toEqual(['Accept Bob Tester']);
    // The answered one is history in the list.
    const list = document.querySelector('section[aria-labelledby="notifications-title"]');
    expect(list.textContent).toContain('wants to follow you.');
    expect(list.textContent).toContain('Accepted');
    Object.assign(notifications, { items: [], loaded: false, unreadCount: 0 });
  });

  it('loads through SvelteKit: a 404 there is error(404)', async () => {
    routes({});
    const [err] = await loadFailures(load, ['']);
    expect(isHttpError(err, 404)).toBe(true);
  });
});
