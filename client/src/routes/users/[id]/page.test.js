// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { isHttpError } from '@sveltejs/kit';

const page = vi.hoisted(() => ({ params: { id: '3' }, url: new URL('http://localhost/users/3') }));
vi.mock('$app/state', () => ({ page, navigating: { to: null } }));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { default: ProfilePage } = await import('./+page.svelte');
const { load } = await import('./+page.js');

const CARD = { id: 3, first_name: 'Carol', last_name: 'Danvers', nickname: 'cap', avatar_url: null };
const PRIVATE = { ...CARD, is_public: false, can_view: false, follow_state: 'none', follows_you: false, followers_count: 4, following_count: 1 };
const FULL = {
  ...PRIVATE,
  is_public: true,
  can_view: true,
  follows_you: true,
  email: 'carol@example.com',
  date_of_birth: '1990-05-04',
  about_me: 'Higher, further, faster.',
  created_at: '2024-03-01T10:00:00.000Z'
};
const EMPTY = [200, { items: [], next: null }];

const text = () => document.body.textContent.replace(/\s+/g, ' ');
const button = (label) => [...document.querySelectorAll('button')].find((b) => b.textContent.replace(/\s+/g, ' ').trim() === label);

const render = () => renderRoute(ProfilePage, load, '/users/3', { id: '3' });
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
});

describe('profile page', () => {
  it('shows a private profile as a card with a request button', async () => {
    routes({ 'GET /api/users/3': [200, { user: PRIVATE }] });
    await render();
    await vi.waitFor(() => expect(text()).toContain('This profile is private'));
    expect(text()).toContain('Carol Danvers');
    expect(text()).toContain('@cap');
    expect(button('Request to follow')).toBeDefined();
    expect(text()).not.toContain('Followers');
  });

  it('shows every field, the counts and the posts tab of a visible profile', async () => {
    routes({ 'GET /api/users/3': [200, { user: FULL }], 'GET /api/users/3/posts': EMPTY });
    await render();
    await vi.waitFor(() => expect(text()).toContain('No posts yet'));
    for (const part of ['carol@example.com', 'Higher, further, faster.', 'Follows you', '4 followers', '1 following', 'Member since'])
      expect(text()).toContain(part);
    // The address may break before its @ and dots, not inside a word.
    const email = document.querySelector('a[href="mailto:carol@example.com"]');
    expect(email.innerHTML.replace(/<!---->/g, '')).toBe('carol<wbr>@example<wbr>.com');
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    expect(tabs.map((t) => t.textContent.trim())).toEqual(['Posts', 'Activity', 'Followers', 'Following']);
    expect(tabs[0].getAttribute('aria-selected')).toBe('true');
    expect(button('Follow')).toBeDefined();
    // She follows the viewer: they may write to each other.
    expect(document.querySelector('a[href="/messages/direct/3"]').textContent).toBe('Message');
  });

  it('loads a tab when it is opened, with Load more, and says when a list is private', async () => {
    const fetch = routes({
      'GET /api/users/3': [200, { user: FULL }],
      'GET /api/users/3/posts': EMPTY,
      'GET /api/users/3/followers': [200, { items: [{ ...CARD, id: 8, first_name: 'Dan' }], next: 8 }],
      'GET /api/users/3/followers?before=8': [200, { items: [{ ...CARD, id: 7, first_name: 'Eve' }], next: null }],
      'GET /api/users/3/activity': [403, { error: { code: 'private_profile', message: 'Private.' } }]
    });
    await render();
    await vi.waitFor(() => expect(text()).toContain('No posts yet'));
    button('Followers').click();
    await vi.waitFor(() => expect(text()).toContain('Dan Danvers'));
    button('Load more').click();
    await vi.waitFor(() => expect(text()).toContain('Eve Danvers'));
    expect(button('Load more')).toBeUndefined();
    expect(fetch.mock.calls.map(([p]) => p)).toContain('/api/users/3/followers?before=8');

    button('Activity').click();
    await vi.waitFor(() => expect(text()).toContain('This profile is private'));
  });

  it('follows, counts the new follower and refetches', async () => {
    let following = false;
    routes({
      'GET /api/users/3': () => [200, { user: { ...FULL, follow_state: following ? 'following' : 'none', followers_count: following ? 5 : 4 } }],
      'GET /api/users/3/posts': EMPTY,
      'POST /api/users/3/follow': () => {
        following = true;
        return [200, { follow_state: 'following' }];
      }
    });
    await render();
    await vi.waitFor(() => expect(button('Follow')).toBeDefined());
    button('Follow').click();
    await vi.waitFor(() => expect(button('Unfollow')).toBeDefined());
    expect(text()).toContain('5 followers');
  });

  it('on one’s own profile: Edit profile, the privacy switch and removing followers', async () => {
    const fetch = routes({
      'GET /api/users/3': [200, { user: { ...FULL, follow_state: 'self', follows_you: false } }],
      'GET /api/users/3/posts': EMPTY,
      'GET /api/users/3/followers': [200, { items: [{ ...CARD, id: 8, first_name: 'Dan' }], next: null }],
      'DELETE /api/users/8/follower': [204],
      'PATCH /api/users/me': [200, { user: { ...FULL, is_public: false } }]
    });
    await render();
    await vi.waitFor(() => expect(document.querySelector('a[href="/settings/profile"]')).not.toBeNull());
    expect(document.querySelector('a[href^="/messages/"]')).toBeNull(); // no messages to oneself

    button('Make profile private').click();
    flushSync();
    expect(document.querySelector('dialog').textContent).toContain('Make your profile private?');
    button('Make private').click();
    await vi.waitFor(() => expect(button('Make profile public')).toBeDefined());
    const patch = fetch.mock.calls.find(([p, init]) => init.method === 'PATCH');
    expect(JSON.parse(patch[1].body)).toEqual({ is_public: false });

    button('Followers').click();
    await vi.waitFor(() => expect(text()).toContain('Dan Danvers'));
    button('Remove').click();
    flushSync();
    expect(document.querySelector('dialog').textContent).toContain('Remove Dan Danvers from your followers?');
    [...document.querySelectorAll('dialog button')].find((b) => b.textContent.trim() === 'Remove').click();
    await vi.waitFor(() => expect(text()).toContain('No followers yet'));
    expect(text()).toContain('3 followers');
  });

  it('shows posts as post cards, in the Posts tab and in the activity', async () => {
    const post = { id: 40, author: CARD, body: 'Hello there', image_url: null, privacy: 'almost_private', group_id: null, created_at: '2025-01-01T10:00:00Z', comments_count: 2 };
    routes({
      'GET /api/users/3': [200, { user: FULL }],
      'GET /api/users/3/posts': [200, { items: [post], next: null }],
      'GET /api/users/3/activity': [200, { items: [
        { kind: 'post', created_at: post.created_at, cursor: 2, post },
        { kind: 'comment', created_at: post.created_at, cursor: 1, comment: { id: 9, post_id: 40, body: 'Me too', created_at: post.created_at } }
      ], next: null }]
    });
    await render();
    await vi.waitFor(() => expect(text()).toContain('Hello there'));
    expect(document.querySelector('article a[href="/posts/40"]')).not.toBeNull();
    expect(button('2 comments')).toBeDefined();
    expect(text()).toContain('Almost private');
    button('Activity').click();
    await vi.waitFor(() => expect(text()).toContain('Me too'));
    expect(document.querySelectorAll('article').length).toBe(1);
    expect(document.querySelector('.line a[href="/posts/40"]')).not.toBeNull();
  });

  it('blocks from the "…" menu after saying what blocking does, then offers Unblock', async () => {
    let blocked = false;
    const fetch = routes({
      'GET /api/users/3': () => [200, { user: blocked ? { ...FULL, follows_you: false, blocked: true } : FULL }],
      'GET /api/users/3/posts': EMPTY,
      'POST /api/users/3/block': () => {
        blocked = true;
        return [204];
      },
      'DELETE /api/users/3/block': () => {
        blocked = false;
        return [204];
      }
    });
    await render();
    await vi.waitFor(() => expect(button('Follow')).toBeDefined());
    const more = document.querySelector('button[aria-label="More actions for Carol Danvers"]');
    more.click();
    flushSync();
    document.querySelector('[role="menuitem"]').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    expect(dialog.querySelector('h2').textContent).toBe('Block Carol Danvers?');
    for (const words of ["see your profile or posts", 'message you', 'comment on', 'Follows between you end', "They won't be told"])
      expect(dialog.textContent).toContain(words);
    [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Block').click();
    await vi.waitFor(() => expect(text()).toContain('You blocked this person'));
    expect(button('Follow')).toBeUndefined();
    expect(document.querySelector('[role="tab"]')).toBeNull();

    button('Unblock').click();
    await vi.waitFor(() => expect(button('Follow')).toBeDefined());
    expect(fetch.mock.calls.filter(([, i]) => i?.method !== 'GET').map(([p, i]) => `${i.method} ${p}`)).toEqual([
      'POST /api/users/3/block',
      'DELETE /api/users/3/block'
    ]);
  });

  it('offers Block on a private profile too, and never on one’s own', async () => {
    routes({ 'GET /api/users/3': [200, { user: PRIVATE }] });
    await render();
    await vi.waitFor(() => expect(text()).toContain('This profile is private'));
    expect(document.querySelector('button[aria-label="More actions for Carol Danvers"]')).not.toBeNull();
    unmountRoute();
    routes({ 'GET /api/users/3': [200, { user: { ...FULL, follow_state: 'self' } }], 'GET /api/users/3/posts': EMPTY });
    await render();
    await vi.waitFor(() => expect(text()).toContain('No posts yet'));
    expect(document.querySelector('button[aria-haspopup="menu"]')).toBeNull();
  });

  it('loads through SvelteKit: an unknown person, or an id that cannot be one, is error(404)', async () => {
    routes({});
    for (const err of await loadFailures(load, ['3', 'carol', '-1'])) {
      expect(isHttpError(err, 404)).toBe(true);
      expect(err.body).toEqual({ title: 'Profile not available', message: 'There is no such person.' });
    }
  });
});
