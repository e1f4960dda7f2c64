// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ params: { id: '4' }, url: new URL('http://localhost/posts/4') }));
vi.mock('$app/state', () => ({ page }));
const { default: PostPage } = await import('./+page.svelte');

const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester', nickname: null, avatar_url: null };
const POST = { id: 4, author: BOB, body: 'Hello', image_url: null, privacy: 'public', group_id: null, created_at: '2025-01-01T10:00:00Z', comments_count: 0 };

function routes(table) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path, init) => {
      const [status, body] = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No such post.' } }];
      return Response.json(body, { status });
    })
  );
}

let component;
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
});
function render() {
  component = mount(PostPage, { target: document.body });
  flushSync();
}

describe('post page', () => {
  it('shows the post with its comments open', async () => {
    routes({ 'GET /api/posts/4': [200, { post: POST }], 'GET /api/posts/4/comments': [200, { items: [], next: null }] });
    render();
    await vi.waitFor(() => expect(document.body.textContent).toContain('No comments yet'));
    expect(document.querySelector('.body').textContent).toBe('Hello');
    expect(document.getElementById('comment-4-body')).not.toBeNull();
  });

  it('says the post is not available on a 404 (missing or not allowed alike)', async () => {
    routes({});
    render();
    await vi.waitFor(() => expect(document.querySelector('h1').textContent).toBe("This post isn't available"));
  });
});
