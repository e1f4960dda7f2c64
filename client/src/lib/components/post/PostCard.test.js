// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { session } from '$lib/state/session.svelte.js';
import { groupInfo } from '$lib/groupInfo.svelte.js';
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
const items = () => [...document.querySelectorAll('[role="menuitem"]')].map((b) => b.textContent.trim());
const item = (label) => [...document.querySelectorAll('[role="menuitem"]')].find((b) => b.textContent.trim() === label);

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

  it('opens the image full size in the page; Escape closes it and the focus goes back', async () => {
    routes({});
    render();
    const link = document.querySelector('img[src="/media/12"]').closest('a');
    expect(link.getAttribute('aria-haspopup')).toBe('dialog');
    expect(link.hasAttribute('target')).toBe(false);
    // Ctrl + click is the browser's own (a new tab): no viewer.
    const ctrlClick = new MouseEvent('click', { bubbles: true, cancelable: true, ctrlKey: true });
    link.dispatchEvent(ctrlClick);
    flushSync();
    expect(ctrlClick.defaultPrevented).toBe(false);
    expect(document.querySelector('dialog')).toBeNull();

    link.focus();
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    link.dispatchEvent(click);
    flushSync();
    expect(click.defaultPrevented).toBe(true);
    const dialog = document.querySelector('dialog');
    expect(dialog.getAttribute('aria-label')).toBe('Line one <b>not bold</b>');
    expect(dialog.querySelector('img').getAttribute('src')).toBe('/media/12');
    expect(dialog.querySelector('img').getAttribute('alt')).toBe('Line one <b>not bold</b>');
    await vi.waitFor(() => expect(document.activeElement.getAttribute('aria-label')).toBe('Close'));

    dialog.dispatchEvent(new Event('cancel', { cancelable: true })); // what Escape does
    flushSync();
    expect(document.querySelector('dialog')).toBeNull();
    expect(document.activeElement).toBe(link);
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

  it('posts a comment on Enter; Shift+Enter is a new line, an empty box ignores Enter', async () => {
    const fetch = routes({
      'GET /api/posts/4/comments': [200, { items: [], next: null }],
      'POST /api/posts/4/comments': [201, { comment: comment(8, 'Two\nlines', ALICE) }]
    });
    render({ commentsOpen: true });
    const textarea = document.getElementById('comment-4-body');
    const press = (init) => {
      const event = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...init });
      textarea.dispatchEvent(event);
      flushSync();
      return event;
    };
    expect(press({}).defaultPrevented).toBe(true); // no new line in an empty box, no complaint
    expect(document.body.textContent).not.toContain('Write something or add an image.');
    textarea.value = 'Two';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    expect(press({ shiftKey: true }).defaultPrevented).toBe(false);
    expect(press({ isComposing: true }).defaultPrevented).toBe(false);
    expect(fetch.mock.calls.filter(([, i]) => i?.method === 'POST')).toHaveLength(0);
    textarea.value = 'Two\nlines';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    press({});
    press({}); // a second Enter while the first is on its way sends nothing more
    await vi.waitFor(() => expect(button('1 comment')).toBeDefined());
    await vi.waitFor(() => expect(textarea.value).toBe(''));
    expect(fetch.mock.calls.filter(([, i]) => i?.method === 'POST')).toHaveLength(1);
    expect(textarea.getAttribute('aria-describedby')).toBe('comment-4-keys');
    expect(document.getElementById('comment-4-keys').textContent).toContain('Shift+Enter');
  });

  it('lets the author delete from the "…" menu after confirming', async () => {
    const fetch = routes({ 'DELETE /api/posts/4': [204] });
    render();
    const menu = document.querySelector('button[aria-label="Post actions"]');
    expect(menu.getAttribute('aria-haspopup')).toBe('menu');
    menu.click();
    flushSync();
    expect(menu.getAttribute('aria-expanded')).toBe('true');
    expect(items()).toEqual(['Edit post', 'Delete post']);
    await vi.waitFor(() => expect(document.activeElement.textContent.trim()).toBe('Edit post'));
    item('Delete post').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    expect(dialog.textContent).toContain('Delete this post?');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Delete').click();
    await vi.waitFor(() => expect(ondelete).toHaveBeenCalledWith(expect.objectContaining({ id: 4 }), 'deleted'));
    expect(fetch.mock.calls.map(([p, i]) => `${i.method} ${p}`)).toEqual(['DELETE /api/posts/4']);
  });

  it('moves through the menu by keyboard and closes it with Escape', async () => {
    routes({});
    render();
    const menu = document.querySelector('button[aria-label="Post actions"]');
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    flushSync();
    const list = document.querySelector('[role="menu"]');
    await vi.waitFor(() => expect(document.activeElement.textContent.trim()).toBe('Delete post'));
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement.textContent.trim()).toBe('Edit post');
    list.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(document.querySelector('[role="menu"]')).toBeNull();
    expect(document.activeElement).toBe(menu);
  });

  it('edits the text in place and shows "Edited"', async () => {
    const edited = { ...POST, body: 'Fixed the typo', edited_at: '2025-01-02T09:30:00Z' };
    const fetch = routes({ 'PATCH /api/posts/4': [200, { post: edited }] });
    render();
    document.querySelector('button[aria-label="Post actions"]').click();
    flushSync();
    item('Edit post').click();
    flushSync();
    const textarea = document.getElementById('post-4-edit-body');
    expect(document.activeElement).toBe(textarea);
    expect(textarea.value).toBe(POST.body);
    expect(document.getElementById('post-4-edit-privacy').value).toBe('almost_private');
    textarea.value = '  Fixed the typo ';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    button('Save').click();
    await vi.waitFor(() => expect(document.querySelector('.body').textContent).toBe('Fixed the typo'));
    expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ body: 'Fixed the typo' });
    const mark = document.querySelector('time.edited');
    expect(mark.textContent).toContain('Edited');
    expect(mark.getAttribute('title')).toMatch(/^Edited /);
    expect(document.activeElement.getAttribute('aria-label')).toBe('Post actions');
  });

  it('offers nothing to change to others; a group post names its group', async () => {
    routes({ 'GET /api/groups/3': [200, { group: { id: 3, title: 'Climbing', my_state: 'member' } }] });
    session.user = BOB;
    render({ post: { ...POST, group_id: 3, comments_count: 0 } });
    expect(document.querySelector('button[aria-label="Post actions"]')).toBeNull();
    expect(document.querySelector('.badge').textContent.trim()).toBe('Group');
    expect(button('0 comments')).toBeDefined();
    await vi.waitFor(() => expect(document.querySelector('a.group')?.textContent).toBe('Climbing'));
    expect(document.querySelector('a.group').getAttribute('href')).toBe('/groups/3');
  });

  it('does not name the group on the group’s own page', async () => {
    routes({ 'GET /api/groups/3': [200, { group: { id: 3, title: 'Climbing', my_state: 'member' } }] });
    render({ post: { ...POST, id: 41, group_id: 3, comments_count: 0 }, showGroup: false });
    await vi.waitFor(() => expect(groupInfo(3)?.title).toBe('Climbing'));
    flushSync();
    expect(document.querySelector('.badge').textContent.trim()).toBe('Group');
    expect(document.querySelector('a.group')).toBeNull();
    expect(document.querySelector('.names').textContent.trim()).toBe('Alice Tester');
  });

  it('lets the group’s creator delete a member’s post, not edit it', async () => {
    routes({ 'GET /api/groups/5': [200, { group: { id: 5, title: 'Chess', my_state: 'creator' } }] });
    session.user = BOB;
    render({ post: { ...POST, group_id: 5 } });
    await vi.waitFor(() => expect(document.querySelector('button[aria-label="Post actions"]')).not.toBeNull());
    document.querySelector('button[aria-label="Post actions"]').click();
    flushSync();
    expect(items()).toEqual(['Delete post']);
  });
});

describe('PostCard reactions', () => {
  const likeButton = () => document.querySelector('.react');

  it('likes on one click, shows the count at once, and takes it back on the next', async () => {
    const fetch = routes({
      'PUT /api/posts/4/reaction': [200, { post: { ...POST, reactions: { like: 1 }, my_reaction: 'like' } }],
      'DELETE /api/posts/4/reaction': [204]
    });
    render();
    expect(likeButton().getAttribute('aria-pressed')).toBe('false');
    expect(likeButton().textContent.trim()).toBe('Like');
    likeButton().click();
    flushSync();
    expect(likeButton().getAttribute('aria-pressed')).toBe('true');
    expect(document.querySelector('.summary button').getAttribute('aria-label')).toBe(
      '1 reaction: 1 Like. See who reacted'
    );
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());
    likeButton().click();
    flushSync();
    expect(likeButton().getAttribute('aria-pressed')).toBe('false');
    expect(document.querySelector('.summary button')).toBeNull();
    await vi.waitFor(() => expect(fetch.mock.calls.map(([p, i]) => `${i.method} ${p}`)).toEqual([
      'PUT /api/posts/4/reaction',
      'DELETE /api/posts/4/reaction'
    ]));
  });

  it('picks another kind from the keyboard: ArrowUp opens the six, arrows move, Enter picks', async () => {
    const fetch = routes({
      'PUT /api/posts/4/reaction': [200, { post: { ...POST, reactions: { haha: 1 }, my_reaction: 'haha' } }]
    });
    render();
    likeButton().dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    flushSync();
    const menu = document.querySelector('[role="menu"][aria-label="Reactions"]');
    const kinds = [...menu.querySelectorAll('[role="menuitemradio"]')].map((b) => b.getAttribute('aria-label'));
    expect(kinds).toEqual(['Like', 'Love', 'Haha', 'Wow', 'Sad', 'Angry']);
    await vi.waitFor(() => expect(document.activeElement.getAttribute('aria-label')).toBe('Like'));
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await vi.waitFor(() => expect(document.activeElement.getAttribute('aria-label')).toBe('Haha'));
    menu.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    flushSync();
    expect(document.querySelector('[role="menu"]')).toBeNull();
    expect(document.activeElement).toBe(likeButton());
    expect(likeButton().textContent.trim()).toBe('😆Haha');
    await vi.waitFor(() => expect(JSON.parse(fetch.mock.calls[0][1].body)).toEqual({ kind: 'haha' }));
  });

  it('closes the six with Escape, back on the button', () => {
    routes({});
    render();
    likeButton().dispatchEvent(new KeyboardEvent('keydown', { key: 'ContextMenu', bubbles: true }));
    flushSync();
    document.querySelector('[role="menu"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(document.querySelector('[role="menu"]')).toBeNull();
    expect(document.activeElement).toBe(likeButton());
  });

  it('undoes the reaction and says why when the server refuses', async () => {
    routes({ 'PUT /api/posts/4/reaction': [404, { error: { code: 'not_found', message: 'This post is gone.' } }] });
    render({ post: { ...POST, reactions: { wow: 2 }, my_reaction: null } });
    likeButton().click();
    flushSync();
    expect(likeButton().getAttribute('aria-pressed')).toBe('true');
    await vi.waitFor(() => expect(document.querySelector('.reaction [role="alert"]')?.textContent).toBe('This post is gone.'));
    expect(likeButton().getAttribute('aria-pressed')).toBe('false');
    expect(document.querySelector('.summary button').getAttribute('aria-label')).toBe('2 reactions: 2 Wow. See who reacted');
  });

  it('lists who reacted, by kind', async () => {
    const fetch = routes({
      'GET /api/posts/4/reactions': [200, { items: [{ user: BOB, kind: 'haha' }, { user: ALICE, kind: 'like' }], next: null }],
      'GET /api/posts/4/reactions?kind=haha': [200, { items: [{ user: BOB, kind: 'haha' }], next: null }]
    });
    render({ post: { ...POST, reactions: { like: 1, haha: 1 }, my_reaction: 'like' } });
    document.querySelector('.summary button').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    await vi.waitFor(() => expect(dialog.querySelectorAll('li')).toHaveLength(2));
    const tabs = [...dialog.querySelectorAll('[role="tab"]')].map((t) => t.textContent.replace(/\s+/g, ' ').trim());
    expect(tabs).toEqual(['All 2', '👍 Like 1', '😆 Haha 1']);
    expect(dialog.querySelector('li').textContent).toContain('Bob Tester');
    expect(dialog.querySelector('li a').getAttribute('aria-label')).toBe('Bob Tester, Haha');
    [...dialog.querySelectorAll('[role="tab"]')][2].click();
    await vi.waitFor(() => expect(fetch.mock.calls.map(([p]) => p)).toContain('/api/posts/4/reactions?kind=haha'));
    await vi.waitFor(() => expect(dialog.querySelectorAll('li')).toHaveLength(1));
  });
});

describe('PostCard comments', () => {
  const commentMenu = () => document.querySelector('button[aria-label="Comment actions"]');

  it('lets the post’s author delete someone’s comment, not edit it', async () => {
    const fetch = routes({
      'GET /api/posts/4/comments': [200, { items: [comment(7, 'Rude')], next: null }],
      'DELETE /api/comments/7': [204]
    });
    render({ commentsOpen: true });
    await vi.waitFor(() => expect(commentMenu()).not.toBeNull());
    commentMenu().click();
    flushSync();
    expect(items()).toEqual(['Delete comment']);
    item('Delete comment').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    expect(dialog.textContent).toContain('Delete this comment?');
    [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Delete').click();
    await vi.waitFor(() => expect(document.body.textContent).not.toContain('Rude'));
    expect(button('0 comments')).toBeDefined();
    expect(document.activeElement).toBe(document.getElementById('comment-4-body'));
    expect(fetch.mock.calls.map(([p, i]) => `${i?.method ?? 'GET'} ${p}`)).toEqual([
      'GET /api/posts/4/comments',
      'DELETE /api/comments/7'
    ]);
  });

  it('lets a comment’s author edit it in place', async () => {
    const fetch = routes({
      'GET /api/posts/4/comments': [200, { items: [comment(7, 'Frist')], next: null }],
      'PATCH /api/comments/7': [200, { comment: { ...comment(7, 'First'), edited_at: '2025-01-01T12:00:00Z' } }]
    });
    session.user = BOB;
    render({ commentsOpen: true });
    await vi.waitFor(() => expect(commentMenu()).not.toBeNull());
    commentMenu().click();
    flushSync();
    expect(items()).toEqual(['Edit comment', 'Delete comment']);
    item('Edit comment').click();
    flushSync();
    const textarea = document.getElementById('comment-7-edit-body');
    expect(textarea.value).toBe('Frist');
    textarea.value = 'First';
    textarea.dispatchEvent(new Event('input', { bubbles: true }));
    button('Save').click();
    await vi.waitFor(() => expect(document.querySelector('.comment .body')?.textContent).toBe('First'));
    expect(document.querySelector('.comment time.edited')).not.toBeNull();
    expect(JSON.parse(fetch.mock.calls[1][1].body)).toEqual({ body: 'First' });
  });

  it('offers no comment menu to someone else', async () => {
    routes({ 'GET /api/posts/4/comments': [200, { items: [comment(7, 'Hi', ALICE)], next: null }] });
    session.user = BOB;
    render({ commentsOpen: true });
    await vi.waitFor(() => expect(document.body.textContent).toContain('Hi'));
    expect(commentMenu()).toBeNull();
    expect(document.querySelector('.comment .react')).not.toBeNull();
  });
});
