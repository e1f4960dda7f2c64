// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { isHttpError } from '@sveltejs/kit';

const page = vi.hoisted(() => ({ params: { id: '7' }, url: new URL('http://localhost/groups/7') }));
vi.mock('$app/state', () => ({ page, navigating: { to: null } }));
vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
// The chat room is the chat pages' component; here it only has to be there.
vi.mock('$lib/components/chat/ChatThread.svelte', async () => ({
  default: (await import('$lib/testing/ChatThreadStub.svelte')).default
}));
const { goto } = await import('$app/navigation');
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { session } = await import('$lib/state/session.svelte.js');
const { default: GroupPage } = await import('./+page.svelte');
const { default: ErrorPage } = await import('../../+error.svelte');
const { load } = await import('./+page.js');

const card = (id, first_name) => ({ id, first_name, last_name: 'Tester', nickname: null, avatar_url: null });
const ALICE = card(1, 'Alice');
const BOB = card(2, 'Bob');
const CAROL = card(3, 'Carol');
const DAN = card(4, 'Dan');
const group = (my_state, extra = {}) => ({
  id: 7,
  title: 'Climbing',
  description: 'Ropes and chalk',
  creator: ALICE,
  members_count: 2,
  my_state,
  created_at: '2025-01-01T10:00:00Z',
  ...extra
});
const EVENT = {
  id: 30,
  group_id: 7,
  title: 'Saturday at the crag',
  description: 'Bring a rope',
  starts_at: '2031-06-14T07:30:00.000Z',
  creator: BOB,
  going_count: 0,
  not_going_count: 1,
  my_response: null,
  created_at: '2025-01-01T10:00:00Z'
};
const EMPTY = [200, { items: [], next: null }];

const called = (fetch) => fetch.mock.calls.map(([p, i]) => `${i?.method ?? 'GET'} ${p}`);
const text = () => document.body.textContent.replace(/\s+/g, ' ');
const button = (label, root = document.body) =>
  [...root.querySelectorAll('button, a')].find((b) => b.textContent.replace(/\s+/g, ' ').trim() === label);
const tabs = () => [...document.querySelectorAll('[role="tab"]')].map((t) => t.textContent.trim());
function type(element, value) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const render = (tab = null) =>
  renderRoute(GroupPage, load, `/groups/7${tab ? `?tab=${tab}` : ''}`, { id: '7' }, { page, ErrorPage });
beforeEach(() => (session.user = { ...BOB, is_public: true }));
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  session.user = null;
});

describe('group page', () => {
  it('shows a non-member the header and the way in, and nothing of the content', async () => {
    const fetch = routes({ 'GET /api/groups/7': [200, { group: group('none') }] });
    await render('posts');
    await vi.waitFor(() => expect(text()).toContain('Climbing'));
    expect(text()).toContain('Created by Alice Tester');
    expect(text()).toContain('2 members');
    expect(text()).toContain('Posts, events, members and chat are for members only.');
    expect(button('Request to join')).toBeDefined();
    expect(tabs()).toEqual([]);
    expect(button('Invite')).toBeUndefined();
    expect(called(fetch)).toEqual(['GET /api/groups/7']);
  });

  it('gives a member the tabs, the group composer, and the tab in the URL', async () => {
    const fetch = routes({
      'GET /api/groups/7': [200, { group: group('member') }],
      'GET /api/groups/7/posts': EMPTY,
      'POST /api/posts': [201, { post: { id: 5, author: BOB, body: 'Hi all', image_url: null, privacy: 'public', group_id: 7, created_at: '2025-01-01T10:00:00Z', comments_count: 0 } }]
    });
    await render();
    await vi.waitFor(() => expect(text()).toContain('No posts yet'));
    expect(tabs()).toEqual(['Posts', 'Events', 'Members', 'Chat']);
    expect(document.getElementById('post-privacy')).toBeNull(); // the group is the audience
    type(document.getElementById('post-body'), 'Hi all');
    button('Post').click();
    await vi.waitFor(() => expect(document.querySelector('article .body')?.textContent).toBe('Hi all'));
    const [, init] = fetch.mock.calls.find(([, i]) => i?.method === 'POST');
    expect(init.body.get('group_id')).toBe('7');

    button('Events').click();
    expect(goto).toHaveBeenCalledWith(new URL('http://localhost/groups/7?tab=events'), expect.objectContaining({ replaceState: true }));
  });

  it('answers an event, changes the answer, and lists who is going', async () => {
    routes({
      'GET /api/groups/7': [200, { group: group('member') }],
      'GET /api/groups/7/events': [200, { items: [EVENT], next: null }],
      'PUT /api/events/30/response': (init) => {
        const { response } = JSON.parse(init.body);
        const event = response === 'going'
          ? { ...EVENT, going_count: 1, my_response: 'going' }
          : { ...EVENT, not_going_count: 2, my_response: 'not_going' };
        return [200, { event }];
      },
      'GET /api/events/30/responses': [200, { items: [{ user: BOB, response: 'not_going' }, { user: CAROL, response: 'not_going' }] }]
    });
    await render('events');
    await vi.waitFor(() => expect(text()).toContain('Saturday at the crag'));
    expect(document.querySelector('[role="tab"][aria-selected="true"]').textContent.trim()).toBe('Events');
    expect(text()).toContain('0 going · 1 not going');
    const going = button('Going');
    const notGoing = button('Not going');
    expect(going.getAttribute('aria-pressed')).toBe('false');

    going.click();
    flushSync();
    expect(going.getAttribute('aria-pressed')).toBe('true'); // at once
    expect(text()).toContain('1 going · 1 not going');
    await vi.waitFor(() => expect(going.disabled).toBe(false));

    notGoing.click();
    await vi.waitFor(() => expect(text()).toContain('0 going · 2 not going'));
    expect(notGoing.getAttribute('aria-pressed')).toBe('true');
    expect(going.getAttribute('aria-pressed')).toBe('false');

    const who = button("Who's going");
    who.click();
    await vi.waitFor(() => expect(text()).toContain('Not going (2)'));
    expect(who.getAttribute('aria-expanded')).toBe('true');
    expect(text()).toContain('Going (0)');
    expect(text()).toContain('Carol Tester');
  });

  it('checks the event form, sends the time as UTC, and shows the server’s field errors', async () => {
    let answer = [422, { error: { code: 'validation_error', message: 'Check.', fields: { starts_at: 'must be in the future' } } }];
    const fetch = routes({
      'GET /api/groups/7': [200, { group: group('member') }],
      'GET /api/groups/7/events': EMPTY,
      'POST /api/groups/7/events': () => answer
    });
    await render('events');
    await vi.waitFor(() => expect(text()).toContain('No events yet'));
    expect(document.getElementById('event-when').type).toBe('datetime-local');
    type(document.getElementById('event-title'), 'Saturday at the crag');
    type(document.getElementById('event-description'), 'Bring a rope');
    type(document.getElementById('event-when'), '2001-01-01T10:00');
    button('Create event').click();
    flushSync();
    expect(document.getElementById('event-when-error').textContent).toBe('Choose a time in the future.');
    expect(called(fetch)).not.toContain('POST /api/groups/7/events');

    type(document.getElementById('event-when'), '2031-06-14T09:30');
    button('Create event').click();
    await vi.waitFor(() => expect(document.getElementById('event-when-error')?.textContent).toBe('Choose a day and time in the future.'));
    const [, init] = fetch.mock.calls.find(([, i]) => i?.method === 'POST');
    expect(JSON.parse(init.body)).toEqual({
      title: 'Saturday at the crag',
      description: 'Bring a rope',
      starts_at: new Date(2031, 5, 14, 9, 30).toISOString()
    });

    answer = [201, { event: EVENT }];
    button('Create event').click();
    await vi.waitFor(() => expect(document.querySelector('article h3')?.textContent).toBe('Saturday at the crag'));
    expect(document.getElementById('event-title').value).toBe('');
  });

  it('invites: followers first, members hidden, Invited after, and “already a member”', async () => {
    const ERIN = card(5, 'Erin');
    routes({
      'GET /api/groups/7': [200, { group: group('member') }],
      'GET /api/groups/7/posts': EMPTY,
      'GET /api/users/2/followers?limit=100': [200, { items: [ALICE, CAROL], next: null }],
      'GET /api/groups/7/members?limit=100': [200, { items: [{ ...ALICE, is_creator: true }, { ...BOB, is_creator: false }], next: null }],
      'GET /api/users?q=tester&limit=20': [200, { items: [ALICE, BOB, DAN, CAROL, ERIN], next: null }],
      'POST /api/groups/7/invitations': (init) =>
        JSON.parse(init.body).user_id === 4
          ? [201, { invitation: { id: 50, status: 'pending' } }]
          : [409, { error: { code: 'conflict', message: 'Already a member of this group.' } }]
    });
    await render();
    await vi.waitFor(() => expect(button('Invite')).toBeDefined());
    button('Invite').click();
    const dialog = () => document.querySelector('dialog');
    await vi.waitFor(() => expect(dialog().textContent).toContain('Carol Tester'));
    expect(document.querySelector('label[for="invite-search"]').textContent).toBe('Search people to invite');
    const names = () => [...dialog().querySelectorAll('.name')].map((n) => n.textContent);
    expect(names()).toEqual(['Carol Tester']); // Alice is a member

    vi.useFakeTimers();
    type(document.getElementById('invite-search'), 'tester');
    await vi.advanceTimersByTimeAsync(400);
    vi.useRealTimers();
    await vi.waitFor(() => expect(names()).toEqual(['Carol Tester', 'Dan Tester', 'Erin Tester']));
    expect(dialog().textContent).toContain('Follows you');

    const row = (name) => [...dialog().querySelectorAll('li')].find((li) => li.textContent.includes(name));
    button('Invite', row('Dan')).click();
    await vi.waitFor(() => expect(row('Dan').textContent).toContain('Invited'));
    button('Invite', row('Erin')).click();
    await vi.waitFor(() => expect(row('Erin').textContent).toContain('Already a member'));
    button('Done', dialog()).click();
    flushSync();
    expect(document.querySelector('dialog')).toBeNull();
  });

  it('lets the creator answer requests to join, and never offers them to leave', async () => {
    const fetch = routes({
      'GET /api/groups/7': [200, { group: group('creator') }],
      'GET /api/groups/7/join-requests': [200, { items: [{ id: 60, status: 'pending', user: DAN, created_at: '2025-01-01T10:00:00Z' }], next: null }],
      'POST /api/group-join-requests/60/accept': [200, { request: { id: 60, status: 'accepted' } }]
    });
    await render('requests');
    await vi.waitFor(() => expect(text()).toContain('Dan Tester'));
    expect(tabs()).toEqual(['Posts', 'Events', 'Members', 'Chat', 'Requests']);
    expect(button('Leave group')).toBeUndefined();
    button('Accept').click();
    await vi.waitFor(() => expect(text()).toContain('No pending requests.'));
    expect(called(fetch).filter((c) => c === 'GET /api/groups/7')).toHaveLength(2); // the count again
  });

  it('lets a member leave after confirming', async () => {
    let state = 'member';
    const fetch = routes({
      'GET /api/groups/7': () => [200, { group: group(state) }],
      'GET /api/groups/7/members': [200, { items: [{ ...ALICE, is_creator: true }, { ...BOB, is_creator: false }], next: null }],
      'POST /api/groups/7/leave': () => {
        state = 'none';
        return [204];
      }
    });
    await render('members');
    await vi.waitFor(() => expect(text()).toContain('Creator'));
    button('Leave group').click();
    flushSync();
    button('Leave group', document.querySelector('dialog')).click();
    await vi.waitFor(() => expect(button('Request to join')).toBeDefined());
    expect(tabs()).toEqual([]);
    expect(called(fetch)).toContain('POST /api/groups/7/leave');
  });

  it('says when the group does not exist', async () => {
    routes({});
    await render();
    await vi.waitFor(() => expect(text()).toContain('There is no such group.'));
  });

  it('loads through SvelteKit: an unknown group, or an id that cannot be one, is error(404)', async () => {
    routes({});
    for (const err of await loadFailures(load, ['7', 'x', '0'])) {
      expect(isHttpError(err, 404)).toBe(true);
      expect(err.body).toEqual({ title: 'Group not available', message: 'There is no such group.' });
    }
  });
});
