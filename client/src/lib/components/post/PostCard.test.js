// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { session } from '$lib/state/session.svelte.js';
import PostCard from './PostCard.svelte';

const ALICE = { id: 1, first_name: 'Alice', last_name: 'Tester', nickname: null, avatar_url: null };
const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester', nickname: null, avatar_url: null };
const POST = {
  id: 4,
  author: ALICE,
  body: 'Line one\n<b>not bold</b>',
  image_url: '/media/12',
  privacy: 'almost_private',
  group_id: null,
  created_at: '2025-01-01T10:00:00Z',
  comments_count: 1
};
const comment = (id, body, author = BOB) => ({ id, post_id: 4, author, body, image_url: null, created_at: '2025-01-01T11:00:00Z' });

function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const [status, body] = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const button = (label) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);

let component;
let ondelete;
function render(props = {}) {
  ondelete = vi.fn();
  component = mount(PostCard, { target: document.body, props: { post: POST, ondelete, ...props } });
  flushSync();
}
beforeEach(() => (session.user = ALICE));
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
  session.user = null;
});

describe('PostCard', () => {
  it('shows who, when, for whom, the text as text and the image', () => {
    routes({});
    render();
    const links = [...document.querySelectorAll('a')].map((a) => a.getAttribute('href'));
    expect(links).toContain('/users/1');
    expect(document.querySelector('a time').closest('a').getAttribute('href')).toBe('/posts/4');
    expect(document.querySelector('.badge').textContent.trim()).toBe('Almost private');
    const body = document.querySelector('.body');
    expect(body.textContent).toBe('Line one\n<b>not bold</b>');
    expect(body.querySelector('b')).toBeNull();
    const img = document.querySelector('img[src="/media/12"]');
    expect(img.getAttribute('loading')).toBe('lazy');
    expect(img.getAttribute('alt')).toBe('Line one <b>not bold</b>');
    expect(img.closest('a').getAttribute('href')).toBe('/media/12');
  });

  it('opens the comments, and a new comment shows at once and counts', async () => {
    const fetch = routes({
      'GET /api/posts/4/comments': [200, { items: [comment(7, 'First!')], next: null }],
      'POST /api/posts/4/comments': [201, { comment: comment(8, 'Thanks', ALICE) }]
    });
    render();
    const toggle = button('1 comment');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    await vi.waitFor(() => expect(document.body.textContent).toContain('First!'));
    expect(toggle.getAttribute('aria-expanded')).toBe('true');

    const textarea = document.getElementById('comment-4-body');
    expect(document.querySelector('label[for="comment-4-body"]').textContent).toBe('Write a comment');
    expect(document.querySelector('label[for="comment-4-image"]').textContent.trim()).toBe('Add image to comment');
    button('Comment').click();
    flushSync();
    expect(document.body.textContent).toContain('Write something or add an image.');

    textarea.value = 'Thanks';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    button('Comment').click();
    await vi.waitFor(() => expect(button('2 comments')).toBeDefined());
    expect([...document.querySelectorAll('.comment .body')].map((p) => p.textContent)).toEqual(['First!', 'Thanks']);
    expect(textarea.value).toBe('');
    expect(fetch.mock.calls.at(-1)[1].body.get('body')).toBe('Thanks');
  });

  it('lets the author delete after confirming', async () => {
    const fetch = routes({ 'DELETE /api/posts/4': [204] });
    render();
    button('Delete').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    expect(dialog.textContent).toContain('Delete this post?');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Delete').click();
    await vi.waitFor(() => expect(ondelete).toHaveBeenCalledWith(POST));
    expect(fetch.mock.calls.map(([p, i]) => `${i.method} ${p}`)).toEqual(['DELETE /api/posts/4']);
  });

  it('offers no Delete to others; a group post says Group', () => {
    routes({});
    session.user = BOB;
    render({ post: { ...POST, group_id: 3, comments_count: 0 } });
    expect(button('Delete')).toBeUndefined();
    expect(document.querySelector('.badge').textContent.trim()).toBe('Group');
    expect(button('0 comments')).toBeDefined();
  });
});
