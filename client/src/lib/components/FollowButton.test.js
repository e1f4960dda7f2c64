// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import FollowButton from './FollowButton.svelte';

const buttons = () => [...document.querySelectorAll('button')];
const button = (text) => buttons().find((b) => b.textContent.replace(/\s+/g, ' ').trim() === text);
/** The label on screen (the "Requested" button holds two and shows one). */
function visibleLabel() {
  const follow = document.querySelector('.follow button');
  return (follow.querySelector('.shown') ?? follow).textContent.trim();
}

/** Answer the follow routes in order; records what was called. */
function server(...answers) {
  const fetch = vi.fn();
  for (const [status, body] of answers)
    fetch.mockImplementationOnce(async () =>
      status === 204 ? new Response(null, { status }) : Response.json(body, { status })
    );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const calls = (fetch) => fetch.mock.calls.map(([path, init]) => `${init.method} ${path}`);

let component;
let onchange;
function render(user) {
  onchange = vi.fn();
  component = mount(FollowButton, { target: document.body, props: { user, onchange } });
  flushSync();
}
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
});

const ALICE = { id: 2, first_name: 'Alice', last_name: 'Liddell', is_public: true, follow_state: 'none' };
const CAROL = { id: 3, first_name: 'Carol', last_name: 'Danvers', is_public: false, follow_state: 'none' };

describe('FollowButton', () => {
  it('follows a public profile at once, then unfollows after confirming', async () => {
    const fetch = server([200, { follow_state: 'following' }], [204]);
    render(ALICE);
    button('Follow').click();
    await vi.waitFor(() => expect(button('Unfollow')).toBeDefined());
    expect(onchange).toHaveBeenLastCalledWith('following', 'none');

    button('Unfollow').click();
    flushSync();
    const dialog = document.querySelector('dialog');
    expect(dialog.hasAttribute('open')).toBe(true);
    expect(dialog.textContent).toContain('Unfollow Alice Liddell?');
    expect(calls(fetch)).toEqual(['POST /api/users/2/follow']); // nothing yet

    [...dialog.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Unfollow').click();
    await vi.waitFor(() => expect(button('Follow')).toBeDefined());
    expect(document.querySelector('dialog')).toBeNull();
    expect(calls(fetch)).toEqual(['POST /api/users/2/follow', 'DELETE /api/users/2/follow']);
    expect(onchange).toHaveBeenLastCalledWith('none', 'following');
  });

  it('keeps following when the confirmation is cancelled or escaped', async () => {
    const fetch = server();
    render({ ...ALICE, follow_state: 'following' });
    button('Unfollow').click();
    flushSync();
    button('Cancel').click();
    flushSync();
    expect(document.querySelector('dialog')).toBeNull();

    button('Unfollow').click();
    flushSync();
    document.querySelector('dialog').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(document.querySelector('dialog')).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
    expect(button('Unfollow')).toBeDefined();
  });

  it('requests to follow a private profile, and cancels the request', async () => {
    const fetch = server([200, { follow_state: 'requested' }], [204]);
    render(CAROL);
    button('Request to follow').click();
    await vi.waitFor(() => expect(visibleLabel()).toBe('Requested'));

    const requested = document.querySelector('.follow button');
    requested.dispatchEvent(new FocusEvent('focus'));
    flushSync();
    expect(visibleLabel()).toBe('Cancel request');

    requested.click();
    await vi.waitFor(() => expect(button('Request to follow')).toBeDefined());
    expect(calls(fetch)).toEqual(['POST /api/users/3/follow', 'DELETE /api/users/3/follow']);
    expect(onchange.mock.calls).toEqual([
      ['requested', 'none'],
      ['none', 'requested']
    ]);
  });

  it('links to the profile editor on one’s own profile', () => {
    render({ ...ALICE, follow_state: 'self' });
    const link = document.querySelector('a');
    expect(link.textContent.trim()).toBe('Edit profile');
    expect(link.getAttribute('href')).toBe('/settings/profile');
    expect(buttons()).toEqual([]);
  });

  it('says why when the server refuses', async () => {
    server([429, { error: { code: 'rate_limited', message: 'Slow down.' } }]);
    render(ALICE);
    button('Follow').click();
    await vi.waitFor(() => expect(document.querySelector('[role="alert"]')?.textContent).toBe('Slow down.'));
    expect(button('Follow')).toBeDefined();
    expect(onchange).not.toHaveBeenCalled();
  });
});
