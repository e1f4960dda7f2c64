// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { renderRoute, stubApi as routes, unmountRoute } from '$lib/testing/route.svelte.js';
import { session } from '$lib/state/session.svelte.js';
import { FakeSocket } from '$lib/testing/fakeSocket.svelte.js';
import { startWatch } from '$lib/state/watch.svelte.js';
import ExplorePage from './+page.svelte';
import { load } from './+page.js';

const DAN = { id: 4, first_name: 'Dan', last_name: 'Stranger', nickname: null, avatar_url: null };
const post = (id) => ({ id, author: DAN, body: `Public ${id}`, image_url: null, privacy: 'public', group_id: null, created_at: '2025-01-01T10:00:00Z', edited_at: null, comments_count: 0, reactions: {}, my_reaction: null });
const bodies = () => [...document.querySelectorAll('article .body')].map((p) => p.textContent);

beforeEach(() => (session.user = { id: 1, first_name: 'Ada', last_name: 'Lovelace', is_public: true }));
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  session.user = null;
});

describe('explore page', () => {
  it('lists every public post, and new ones live', async () => {
    const fetch = routes({ 'GET /api/explore': [200, { items: [post(3), post(2)], next: null }] });
    const socket = new FakeSocket();
    socket.connected = true;
    const stop = startWatch(socket);
    try {
      await renderRoute(ExplorePage, load, '/explore');
      expect(document.querySelector('h1').textContent).toBe('Explore');
      expect(bodies()).toEqual(['Public 3', 'Public 2']);
      await vi.waitFor(() => expect(socket.sent.at(-1)).toEqual({ type: 'watch', feeds: ['explore'], posts: [3, 2] }));
      socket.emit({ type: 'post.new', feed: 'explore', post: post(4) });
      flushSync();
      expect(bodies()).toEqual(['Public 4', 'Public 3', 'Public 2']);
      expect(fetch.mock.calls.map(([p]) => p)).toEqual(['/api/explore']);
    } finally {
      stop();
    }
  });

  it('says when there is nothing public yet', async () => {
    routes({ 'GET /api/explore': [200, { items: [], next: null }] });
    await renderRoute(ExplorePage, load, '/explore');
    expect(document.body.textContent).toContain('Nothing public yet');
  });
});
