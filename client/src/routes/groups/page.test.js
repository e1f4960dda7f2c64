// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { isHttpError } from '@sveltejs/kit';

vi.mock('$app/navigation', async () => (await import('$lib/testing/route.svelte.js')).navigation);
const { goto } = await import('$app/navigation');
const { loadFailures, renderRoute, stubApi: routes, unmountRoute } = await import('$lib/testing/route.svelte.js');
const { default: GroupsPage } = await import('./+page.svelte');
const { load } = await import('./+page.js');
const { chats } = await import('$lib/state/chats.svelte.js');
const { notifications } = await import('$lib/state/notifications.svelte.js');

const ALICE = { id: 1, first_name: 'Alice', last_name: 'Tester', nickname: null, avatar_url: null };
const group = (id, my_state, extra = {}) => ({
  id,
  title: `Group ${id}`,
  description: `About group ${id}`,
  creator: ALICE,
  members_count: 3,
  my_state,
  created_at: '2025-01-01T10:00:00Z',
  ...extra
});

const text = () => document.body.textContent.replace(/\s+/g, ' ');
const card = (title) => [...document.querySelectorAll('article')].find((a) => a.querySelector('h3').textContent === title);
const within = (root, label) =>
  [...root.querySelectorAll('button, a')].find((b) => b.textContent.replace(/\s+/g, ' ').trim() === label);
function type(element, value) {
  element.value = value;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const render = (href = '/groups') => renderRoute(GroupsPage, load, href);
afterEach(() => {
  unmountRoute();
  document.body.innerHTML = '';
  chats.conversations = [];
  chats.loaded = false;
  chats.error = null;
  notifications.items = [];
});

const room = (id, title, at = null, unread = 0) => ({
  kind: 'group',
  id,
  group: { id, title },
  last_message: at ? { id, created_at: at } : null,
  unread_count: unread
});
const yours = () =>
  [...document.querySelectorAll('section[aria-labelledby="yours-title"] li a')].map((a) => [
    a.getAttribute('href'),
    a.querySelector('.title').textContent
  ]);

describe('groups page', () => {
  it('lists groups with what each state allows', async () => {
    routes({
      'GET /api/groups': [
        200,
        { items: [group(4, 'none'), group(3, 'invited'), group(2, 'requested'), group(1, 'creator')], next: null }
      ]
    });
    await render();
    await vi.waitFor(() => expect(card('Group 4')).toBeDefined());
    expect(within(card('Group 4'), 'Request to join')).toBeDefined();
    expect(within(card('Group 3'), 'Accept invitation')).toBeDefined();
    expect(within(card('Group 3'), 'Decline')).toBeDefined();
    expect(card('Group 2').textContent).toContain('Requested');
    expect(within(card('Group 2'), 'Requested')).toBeUndefined(); // nothing to click
    expect(within(card('Group 1'), 'Open').getAttribute('href')).toBe('/groups/1');
    expect(card('Group 1').textContent).toContain('3 members');
    expect(card('Group 1').textContent).toContain('Alice Tester');
    expect(card('Group 1').textContent).toContain('About group 1');
  });

  it('lists your groups first, from the chat list, and again once you join one', async () => {
    let rooms = [room(1, 'Group 1', new Date().toISOString(), 2)];
    notifications.items = [
      { id: 5, kind: 'group_invitation', state: 'pending', subject: { group_id: 3, invitation_id: 7, group_title: 'Group 3' } }
    ];
    routes({
      'GET /api/groups': [200, { items: [group(3, 'invited'), group(1, 'creator')], next: null }],
      'GET /api/chats': () => [200, { items: rooms }],
      'POST /api/group-invitations/7/accept': [200, { invitation: { id: 7, status: 'accepted' } }],
      'GET /api/groups/3': [200, { group: group(3, 'member') }]
    });
    await render();
    await vi.waitFor(() => expect(yours()).toEqual([['/groups/1', 'Group 1']]));
    const heading = [...document.querySelectorAll('h2')].map((h) => h.textContent);
    expect(heading.indexOf('Your groups')).toBeLessThan(heading.indexOf('Browse groups'));
    const mine = document.querySelector('section[aria-labelledby="yours-title"]');
    expect(mine.textContent).toContain('Last message just now');
    expect(mine.querySelector('.count-badge').textContent).toBe('2 unread messages');

    rooms = [...rooms, room(3, 'Group 3')];
    within(card('Group 3'), 'Accept invitation').click();
    await vi.waitFor(() => expect(yours()).toEqual([['/groups/1', 'Group 1'], ['/groups/3', 'Group 3']]));
    expect(mine.textContent).toContain('No messages yet');
  });

  it('says when you have no group yet', async () => {
    routes({ 'GET /api/groups': [200, { items: [], next: null }], 'GET /api/chats': [200, { items: [] }] });
    await render();
    await vi.waitFor(() => expect(text()).toContain("You haven't joined a group yet."));
  });

  it('asks to join, and the card says Requested', async () => {
    const fetch = routes({
      'GET /api/groups': [200, { items: [group(4, 'none')], next: null }],
      'POST /api/groups/4/join-requests': [201, { request: { id: 9, status: 'pending' } }],
      'GET /api/groups/4': [200, { group: group(4, 'requested') }]
    });
    await render();
    await vi.waitFor(() => expect(card('Group 4')).toBeDefined());
    within(card('Group 4'), 'Request to join').click();
    await vi.waitFor(() => expect(within(card('Group 4'), 'Request to join')).toBeUndefined());
    expect(card('Group 4').textContent).toContain('Requested');
    expect(fetch.mock.calls.map(([p, i]) => `${i?.method ?? 'GET'} ${p}`)).toContain('POST /api/groups/4/join-requests');
  });

  it('searches by title', async () => {
    const fetch = routes({
      'GET /api/groups': [200, { items: [group(4, 'none')], next: null }],
      'GET /api/groups?q=chess': [200, { items: [], next: null }]
    });
    await render();
    await vi.waitFor(() => expect(card('Group 4')).toBeDefined());
    const search = document.getElementById('groups-search');
    expect(document.querySelector('label[for="groups-search"]').textContent).toBe('Search groups');
    type(search, 'chess');
    search.form.requestSubmit();
    await vi.waitFor(() => expect(text()).toContain('No group matches “chess”.'));
    expect(fetch).toHaveBeenLastCalledWith('/api/groups?q=chess', expect.anything());
  });

  it('creates a group and opens its page; fields are checked first', async () => {
    const fetch = routes({
      'GET /api/groups': [200, { items: [], next: null }],
      'POST /api/groups': [201, { group: group(12, 'creator', { title: 'Climbing' }) }]
    });
    await render();
    await vi.waitFor(() => expect(text()).toContain('No groups yet'));
    const submit = within(document.body, 'Create group');
    submit.click();
    flushSync();
    expect(text()).toContain('Give the group a title.');
    expect(document.getElementById('group-title').getAttribute('aria-invalid')).toBe('true');
    expect(fetch.mock.calls.some(([, init]) => init?.method === 'POST')).toBe(false);

    type(document.getElementById('group-title'), ' Climbing ');
    type(document.getElementById('group-description'), 'Ropes and chalk');
    submit.click();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/groups/12'));
    const [, init] = fetch.mock.calls.find(([, i]) => i?.method === 'POST');
    expect(JSON.parse(init.body)).toEqual({ title: 'Climbing', description: 'Ropes and chalk' });
  });

  it('shows the server’s field errors', async () => {
    routes({
      'GET /api/groups': [200, { items: [], next: null }],
      'POST /api/groups': [422, { error: { code: 'validation_error', message: 'Check.', fields: { title: 'at most 100 characters' } } }]
    });
    await render();
    type(document.getElementById('group-title'), 'x');
    type(document.getElementById('group-description'), 'y');
    within(document.body, 'Create group').click();
    await vi.waitFor(() => expect(document.getElementById('group-title-error')?.textContent).toBe('Use at most 100 characters.'));
  });

  it('searches what the address asks for, and loads through SvelteKit (a 404 is error(404))', async () => {
    const fetch = routes({ 'GET /api/groups?q=chess': [200, { items: [], next: null }] });
    await render('/groups?q=chess');
    expect(fetch.mock.calls.map(([p]) => p)).toEqual(['/api/groups?q=chess', '/api/chats']);
    expect(document.getElementById('groups-search').value).toBe('chess');
    expect(text()).toContain('No group matches “chess”.');

    routes({});
    const [err] = await loadFailures(load, ['']);
    expect(isHttpError(err, 404)).toBe(true);
  });
});
