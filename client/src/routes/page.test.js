// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { isHttpError } from '@sveltejs/kit';
import { loadFailures, renderRoute, stubApi as routes, unmountRoute } from '$lib/testing/route.svelte.js';
import { session } from '$lib/state/session.svelte.js';
import { FakeSocket } from '$lib/testing/fakeSocket.svelte.js';
import { startWatch } from '$lib/state/watch.svelte.js';
import HomePage from './+page.svelte';
import { load } from './+page.js';

const ALICE = { id: 1, first_name: 'Alice', last_name: 'Tester', nickname: null, avatar_url: null, is_public: true };
const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester', nickname: null, avatar_url: null };
const CAROL = { id: 3, first_name: 'Carol', last_name: 'Tester', nickname: 'cc', avatar_url: null };
const post = (id, extra = {}) => ({
  id,
  author: BOB,
  body: `Post ${id}`,
  image_url: null,
  privacy: 'public',
  group_id: null,
  created_at: '2025-01-01T10:00:00Z',
  comments_count: 0,
  ...extra
});

const text = () => document.body.textContent.replace(/\s+/g, ' ');
const button = (label) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);
const headings = () => [...document.querySelectorAll('article .body')].map((p) => p.textContent);
const select = () => document.getElementById('post-privacy');
function choose(value) {
  select().value = value;
  select().dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}
function type(element, value) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const render = () => renderRoute(HomePage, load, '/');
beforeEach(() => (session.user = { ...ALICE }));
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  session.user = null;
});

describe('home page', () => {
  it('greets by first name, once, with the way to one’s profile', async () => {
    routes({ 'GET /api/feed': [200, { items: [], next: null }] });
    session.user = { ...ALICE, nickname: 'ally', created_at: '2025-03-01T10:00:00Z' };
    await render();
    const welcome = document.querySelector('section.welcome');
    expect(welcome.querySelector('h1').textContent).toBe('Welcome, Alice');
    expect(welcome.textContent.match(/Alice|Tester|ally/g)).toEqual(['Alice']);
    expect(welcome.querySelector('a[href="/users/1"]').textContent).toBe('View your profile');
    expect(welcome.textContent).toContain('Public profile');
  });

  it('shows the feed with Load more, without repeating a post of an overlapping page', async () => {
    const fetch = routes({
      'GET /api/feed': [200, { items: [post(9), post(8)], next: 8 }],
      'GET /api/feed?before=8': [200, { items: [post(8), post(7)], next: null }]
    });
    await render();
    await vi.waitFor(() => expect(headings()).toEqual(['Post 9', 'Post 8']));
    button('Load more').click();
    await vi.waitFor(() => expect(headings()).toEqual(['Post 9', 'Post 8', 'Post 7']));
    expect(button('Load more')).toBeUndefined();
    expect(text()).toContain("You're all caught up.");
    expect(fetch.mock.calls.map(([p]) => p)).toEqual(['/api/feed', '/api/feed?before=8']);
  });

  it('says when the feed is empty; the privacy defaults to the profile’s', async () => {
    routes({ 'GET /api/feed': [200, { items: [], next: null }] });
    await render();
    await vi.waitFor(() => expect(text()).toContain('Your feed is empty'));
    expect(select().value).toBe('public');
    expect([...select().options].map((o) => o.textContent)).toEqual(['Public', 'Almost private', 'Private']);
    unmountRoute();
    session.user = { ...ALICE, is_public: false };
    await render();
    expect(select().value).toBe('almost_private');
  });

  it('refuses an empty post without asking the server', async () => {
    const fetch = routes({ 'GET /api/feed': [200, { items: [], next: null }] });
    await render();
    button('Post').click();
    flushSync();
    expect(text()).toContain('Write something or add an image.');
    expect(document.getElementById('post-body').getAttribute('aria-invalid')).toBe('true');
    expect(fetch.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false);
  });

  it('posts privately to the picked followers, and the post tops the feed at once', async () => {
    const fetch = routes({
      'GET /api/feed': [200, { items: [post(5)], next: null }],
      'GET /api/users/1/followers?limit=100': [200, { items: [BOB, CAROL], next: null }],
      'POST /api/posts': [201, { post: post(6, { author: ALICE, body: 'Only for Bob', privacy: 'private' }) }]
    });
    await render();
    await vi.waitFor(() => expect(headings()).toEqual(['Post 5']));
    type(document.getElementById('post-body'), 'Only for Bob');
    choose('private');
    await vi.waitFor(() => expect(text()).toContain('Carol Tester'));
    expect(text()).toContain('Pick at least one.');

    button('Post').click();
    flushSync();
    expect(text()).toContain('Pick at least one follower who may see this post.');

    type(document.getElementById('viewers-filter'), 'bo');
    expect(text()).not.toContain('Carol Tester');
    const bob = document.querySelector('input[type="checkbox"]');
    expect(bob.closest('label').querySelector('.name').textContent).toBe('Bob Tester');
    bob.click();
    flushSync();
    button('Post').click();
    await vi.waitFor(() => expect(headings()).toEqual(['Only for Bob', 'Post 5']));

    const [, init] = fetch.mock.calls.find(([, i]) => i?.method === 'POST');
    expect(init.body.get('privacy')).toBe('private');
    expect(init.body.getAll('viewer_ids')).toEqual(['2']);
    expect(init.body.get('body')).toBe('Only for Bob');
    expect(document.getElementById('post-body').value).toBe('');
    expect(select().value).toBe('public'); // ready for the next post
    expect(document.querySelector('article').textContent).toContain('Private');
  });

  it('explains that private posts need followers when there are none', async () => {
    routes({
      'GET /api/feed': [200, { items: [], next: null }],
      'GET /api/users/1/followers?limit=100': [200, { items: [], next: null }]
    });
    await render();
    choose('private');
    await vi.waitFor(() => expect(text()).toContain('nobody follows you yet'));
  });

  it('shows the server’s field errors beside the fields', async () => {
    routes({
      'GET /api/feed': [200, { items: [], next: null }],
      'POST /api/posts': [415, { error: { code: 'unsupported_media', message: 'Only JPEG, PNG and GIF images are accepted.' } }]
    });
    await render();
    type(document.getElementById('post-body'), 'Look');
    button('Post').click();
    await vi.waitFor(() => expect(document.getElementById('post-image-error')?.textContent).toContain('Only JPEG, PNG and GIF'));
    expect(document.getElementById('post-image').getAttribute('aria-invalid')).toBe('true');
  });

  it('takes the next page when the end of the feed comes into view', async () => {
    const observers = [];
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(callback) {
          this.callback = callback;
          observers.push(this);
        }
        observe() {}
        disconnect() {
          this.gone = true;
        }
      }
    );
    const fetch = routes({
      'GET /api/feed': [200, { items: [post(9)], next: 9 }],
      'GET /api/feed?before=9': [200, { items: [post(8)], next: null }]
    });
    await render();
    await vi.waitFor(() => expect(headings()).toEqual(['Post 9']));
    const live = observers.filter((o) => !o.gone);
    expect(live).toHaveLength(1);
    live[0].callback([{ isIntersecting: true }]);
    await vi.waitFor(() => expect(headings()).toEqual(['Post 9', 'Post 8']));
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('points an empty Home to Explore and People', async () => {
    routes({ 'GET /api/feed': [200, { items: [], next: null }] });
    await render();
    const empty = document.querySelector('.empty');
    expect(empty.querySelector('h3').textContent).toBe('Your feed is empty');
    expect([...empty.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual(['/explore', '/people']);
  });

  it('watches "home": a new post comes in at the top, or behind "N new posts" when scrolled down', async () => {
    routes({ 'GET /api/feed': [200, { items: [post(5)], next: null }] });
    const socket = new FakeSocket();
    socket.connected = true;
    const stop = startWatch(socket);
    try {
      await render();
      await vi.waitFor(() => expect(socket.sent.at(-1)).toEqual({ type: 'watch', feeds: ['home'], posts: [5] }));
      socket.emit({ type: 'post.new', feed: 'home', post: post(6) });
      flushSync();
      expect(headings()).toEqual(['Post 6', 'Post 5']);

      window.scrollY = 900; // the reader has scrolled down
      socket.emit({ type: 'post.new', feed: 'home', post: post(7) });
      socket.emit({ type: 'post.new', feed: 'explore', post: post(8) }); // not this page's
      flushSync();
      expect(headings()).toEqual(['Post 6', 'Post 5']);
      button('1 new post').click();
      flushSync();
      expect(headings()).toEqual(['Post 7', 'Post 6', 'Post 5']);
      await vi.waitFor(() => expect(document.activeElement.textContent).toBe('Your feed'));
      await vi.waitFor(() => expect(socket.sent.at(-1).posts).toEqual([5, 6, 7]));
    } finally {
      window.scrollY = 0;
      stop();
    }
  });

  it('loads the feed’s first page through SvelteKit; a 404 there is error(404)', async () => {
    routes({});
    const [err] = await loadFailures(load, ['']);
    expect(isHttpError(err, 404)).toBe(true);
  });
});
