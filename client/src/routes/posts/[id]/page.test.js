// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { isHttpError } from '@sveltejs/kit';

const page = vi.hoisted(() => ({ params: { id: '4' }, url: new URL('http://localhost/posts/4') }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { FakeSocket } = await import('$lib/testing/fakeSocket.svelte.js');
const { startWatch } = await import('$lib/state/watch.svelte.js');
const { default: PostPage } = await import('./+page.svelte');
const { default: ErrorPage } = await import('../../+error.svelte');
const { load } = await import('./+page.js');

const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester', nickname: null, avatar_url: null };
const POST = { id: 4, author: BOB, body: 'Hello', image_url: null, privacy: 'public', group_id: null, created_at: '2025-01-01T10:00:00Z', comments_count: 0 };

afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
});
const render = (id = '4') => renderRoute(PostPage, load, `/posts/${id}`, { id }, { page, ErrorPage });

describe('post page', () => {
  it('shows the post with its comments open', async () => {
    routes({ 'GET /api/posts/4': [200, { post: POST }], 'GET /api/posts/4/comments': [200, { items: [], next: null }] });
    await render();
    await vi.waitFor(() => expect(document.body.textContent).toContain('No comments yet'));
    expect(document.querySelector('.body').textContent).toBe('Hello');
    expect(document.getElementById('comment-4-body')).not.toBeNull();
  });

  it('follows the post live, and says when it is gone', async () => {
    routes({ 'GET /api/posts/4': [200, { post: POST }], 'GET /api/posts/4/comments': [200, { items: [], next: null }] });
    const socket = new FakeSocket();
    const stop = startWatch(socket);
    try {
      await render();
      socket.emit({ type: 'post.edited', post: { ...POST, body: 'Hello, edited', edited_at: '2025-01-01T11:00:00Z' } });
      socket.emit({ type: 'post.counts', post_id: 4, comments_count: 0, reactions: { love: 2 } });
      flushSync();
      expect(document.querySelector('.body').textContent).toBe('Hello, edited');
      expect(document.querySelector('.summary button').getAttribute('aria-label')).toMatch(/^2 reactions/);
      socket.emit({ type: 'post.deleted', post_id: 4 });
      flushSync();
      expect(document.querySelector('h1').textContent).toBe('This post is no longer available');
      expect(document.querySelector('article')).toBeNull();
    } finally {
      stop();
    }
  });

  it('says the post is not available on a 404 (missing or not allowed alike)', async () => {
    routes({});
    await render();
    await vi.waitFor(() => expect(document.querySelector('h1').textContent).toBe("This post isn't available"));
    expect(page.status).toBe(404);
    expect(document.querySelector('a[href="/"]')).not.toBeNull();
  });

  it('loads through SvelteKit: a 404 from the API, or an id that cannot be one, is error(404)', async () => {
    routes({});
    for (const err of await loadFailures(load, ['4', 'abc', '0'])) {
      expect(isHttpError(err, 404)).toBe(true);
      expect(err.body.title).toBe("This post isn't available");
    }
  });
});
