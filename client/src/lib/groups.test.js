import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkEvent,
  countsLabel,
  excerpt,
  findInvitationId,
  groupActions,
  groupTabs,
  inviteCandidates,
  isMember,
  localToIso,
  pickTab,
  runGroupAction,
  stateLabel,
  toLocalInputValue,
  withLiveResponse,
  withResponse,
  yourGroups
} from './groups.js';
import { notifications } from '$lib/state/notifications.svelte.js';

const user = (id, first_name, extra = {}) => ({ id, first_name, last_name: 'Tester', nickname: null, ...extra });

/** Answer each `METHOD path` with [status, body]; anything else is a 404. */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const key = `${init?.method ?? 'GET'} ${path}`;
    const [status, body] = table[key] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const calls = (fetch) => fetch.mock.calls.map(([path, init]) => `${init?.method ?? 'GET'} ${path}`);

afterEach(() => {
  notifications.items = [];
});

describe('group state → actions and tabs', () => {
  it('offers what each state allows', () => {
    expect(groupActions('none')).toEqual([{ action: 'request', label: 'Request to join' }]);
    expect(groupActions('requested')).toEqual([
      { action: null, label: 'Requested' },
      { action: 'cancel', label: 'Cancel request', secondary: true }
    ]);
    expect(groupActions('invited').map((a) => a.label)).toEqual(['Accept invitation', 'Decline']);
    expect(groupActions('member')).toEqual([{ action: 'open', label: 'Open' }]);
    expect(groupActions('creator')).toEqual([{ action: 'open', label: 'Open' }]);
  });

  it('names the state, except where its action already says it', () => {
    expect(stateLabel('creator')).toBe('You created this group');
    expect(stateLabel('member')).toBe('Member');
    expect(stateLabel('invited')).toBe('You are invited');
    expect(stateLabel('requested')).toBe(''); // the "Requested" status is shown
    expect(stateLabel('none')).toBe('');
  });

  it('shows the content tabs to members only, and Requests to the creator', () => {
    for (const state of ['none', 'invited', 'requested']) {
      expect(isMember(state)).toBe(false);
      expect(groupTabs(state)).toEqual([]);
    }
    expect(groupTabs('member').map((t) => t.label)).toEqual(['Posts', 'Events', 'Members', 'Chat']);
    expect(groupTabs('creator').map((t) => t.id)).toEqual(['posts', 'events', 'members', 'chat', 'requests']);
  });

  it('takes the tab of the URL only when the viewer has it', () => {
    expect(pickTab(groupTabs('member'), 'events')).toBe('events');
    expect(pickTab(groupTabs('member'), 'requests')).toBe('posts');
    expect(pickTab(groupTabs('member'), null)).toBe('posts');
    expect(pickTab(groupTabs('none'), 'events')).toBeNull();
  });

  it('cuts long descriptions at a word', () => {
    expect(excerpt('  Short\n one ')).toBe('Short one');
    expect(excerpt('We climb every Saturday, rain or shine.', 20)).toBe('We climb every…');
  });
});

describe('yourGroups', () => {
  it('lists the group rooms of the chat list, the most recently active first', () => {
    const room = (id, title, at, unread = 0) => ({
      kind: 'group',
      id,
      group: { id, title },
      last_message: at ? { id, created_at: at } : null,
      unread_count: unread
    });
    const direct = { kind: 'direct', id: 5, peer: user(5, 'Eve'), last_message: { id: 9, created_at: '2026-03-01T10:00:00Z' } };
    const list = [direct, room(2, 'Chess', '2026-02-01T10:00:00Z', 3), room(3, 'Yarn', null), room(4, 'Books', null), room(1, 'Crag', '2026-02-02T10:00:00Z'), room(6, null, null)];
    expect(yourGroups(list)).toEqual([
      { id: 1, title: 'Crag', lastActive: '2026-02-02T10:00:00Z', unread: 0 },
      { id: 2, title: 'Chess', lastActive: '2026-02-01T10:00:00Z', unread: 3 },
      { id: 4, title: 'Books', lastActive: null, unread: 0 },
      { id: 3, title: 'Yarn', lastActive: null, unread: 0 }
    ]);
  });
});

describe('runGroupAction', () => {
  const group = { id: 7, title: 'Climbing', my_state: 'none' };

  it('asks to join, then reads the group again', async () => {
    const fetch = routes({
      'POST /api/groups/7/join-requests': [201, { request: { id: 3, status: 'pending' } }],
      'GET /api/groups/7': [200, { group: { ...group, my_state: 'requested' } }]
    });
    await expect(runGroupAction(group, 'request')).resolves.toMatchObject({ my_state: 'requested' });
    expect(calls(fetch)).toEqual(['POST /api/groups/7/join-requests', 'GET /api/groups/7']);
  });

  it('withdraws a request, then reads the group again', async () => {
    const fetch = routes({
      'DELETE /api/groups/7/join-requests': [204, null],
      'GET /api/groups/7': [200, { group: { ...group, my_state: 'none' } }]
    });
    await expect(runGroupAction(group, 'cancel')).resolves.toMatchObject({ my_state: 'none' });
    expect(calls(fetch)).toEqual(['DELETE /api/groups/7/join-requests', 'GET /api/groups/7']);
  });

  it('accepts an invitation found in the bell, and the notification shows the outcome', async () => {
    const invitation = {
      id: 40,
      kind: 'group_invitation',
      subject: { invitation_id: 12, group_id: 7, group_title: 'Climbing' },
      state: 'pending',
      read: true
    };
    notifications.items = [invitation];
    const fetch = routes({
      'POST /api/group-invitations/12/accept': [200, { invitation: { id: 12, status: 'accepted' } }],
      'GET /api/groups/7': [200, { group: { ...group, my_state: 'member', members_count: 2 } }]
    });
    await expect(runGroupAction({ ...group, my_state: 'invited' }, 'accept')).resolves.toMatchObject({
      my_state: 'member'
    });
    expect(calls(fetch)).toEqual(['POST /api/group-invitations/12/accept', 'GET /api/groups/7']);
    expect(notifications.items[0].state).toBe('accepted');
  });

  it('looks through older notifications for the invitation', async () => {
    const other = { id: 9, kind: 'group_invitation', subject: { invitation_id: 1, group_id: 8 }, state: 'pending' };
    const mine = { id: 5, kind: 'group_invitation', subject: { invitation_id: 2, group_id: 7 }, state: 'pending' };
    const fetch = routes({
      'GET /api/notifications?limit=100': [200, { items: [other], next: 9 }],
      'GET /api/notifications?before=9&limit=100': [200, { items: [mine], next: null }]
    });
    await expect(findInvitationId(7)).resolves.toBe(2);
    expect(fetch).toHaveBeenCalledTimes(2);
    routes({ 'GET /api/notifications?limit=100': [200, { items: [other], next: null }] });
    await expect(findInvitationId(7)).resolves.toBeNull();
    await expect(runGroupAction(group, 'decline')).rejects.toThrow(/notifications/);
  });
});

describe('event day and time', () => {
  it('turns a datetime-local value (local time) into ISO 8601 UTC', () => {
    const local = new Date(2031, 5, 14, 9, 30); // 14 June 2031, 09:30 here
    expect(toLocalInputValue(local)).toBe('2031-06-14T09:30');
    expect(localToIso('2031-06-14T09:30')).toBe(local.toISOString());
    expect(localToIso('2031-06-14T09:30')).toMatch(/Z$/);
    expect(localToIso('')).toBeNull();
    expect(localToIso('14/06/2031 9:30')).toBeNull();
    expect(localToIso('2031-13-40T99:99')).toBeNull();
  });

  it('asks for a title, a description and a time in the future', () => {
    const now = new Date(2030, 0, 1, 12, 0).getTime();
    expect(checkEvent({ title: ' ', description: '', when: '' }, now)).toEqual({
      title: 'Give the event a title.',
      description: 'Say what the event is about.',
      starts_at: 'Choose a day and time.'
    });
    const draft = { title: 'Crag day', description: 'Bring a rope' };
    expect(checkEvent({ ...draft, when: '2030-01-01T11:59' }, now)).toEqual({
      starts_at: 'Choose a time in the future.'
    });
    expect(checkEvent({ ...draft, when: '2030-01-01T12:01' }, now)).toEqual({});
  });
});

describe('event answers', () => {
  const event = { id: 1, going_count: 2, not_going_count: 1, my_response: null };

  it('counts a first answer, moves a changed one, and ignores the same one twice', () => {
    const going = withResponse(event, 'going');
    expect(going).toMatchObject({ my_response: 'going', going_count: 3, not_going_count: 1 });
    const changed = withResponse(going, 'not_going');
    expect(changed).toMatchObject({ my_response: 'not_going', going_count: 2, not_going_count: 2 });
    expect(withResponse(changed, 'not_going')).toBe(changed);
    expect(countsLabel(changed)).toBe('2 going · 2 not going');
    expect(event.my_response).toBeNull(); // the original is left alone
  });
});

describe('invite candidates', () => {
  const alice = user(1, 'Alice');
  const bob = user(2, 'Bob', { nickname: 'bobby' });
  const carol = user(3, 'Carol');
  const dan = user(4, 'Dan');

  it('suggests followers first, and never a member or oneself', () => {
    const shown = inviteCandidates({ followers: [bob, carol, alice], memberIds: [2], selfId: 1 });
    expect(shown.map((u) => u.first_name)).toEqual(['Carol']);
    expect(shown[0].follower).toBe(true);
  });

  it('puts matching followers before other search results, once each', () => {
    const shown = inviteCandidates({
      query: 'tester',
      followers: [carol, bob],
      results: [alice, dan, carol, bob],
      memberIds: [1],
      selfId: 1
    });
    expect(shown.map((u) => [u.first_name, u.follower])).toEqual([
      ['Carol', true],
      ['Bob', true],
      ['Dan', false]
    ]);
  });

  it('filters followers by name or nickname', () => {
    const shown = inviteCandidates({ query: 'BOBBY', followers: [carol, bob], results: [], selfId: 1 });
    expect(shown.map((u) => u.first_name)).toEqual(['Bob']);
  });
});

describe('live answers', () => {
  const event = { id: 5, group_id: 7, going_count: 0, not_going_count: 1, my_response: 'not_going' };
  const frame = (userId, response, going, notGoing) => ({
    type: 'event.response',
    event: { id: 5, group_id: 7, going_count: going, not_going_count: notGoing },
    user_id: userId,
    response
  });

  it("takes the server's counts, and my answer only when it was mine", () => {
    expect(withLiveResponse(event, frame(2, 'going', 1, 1), 1)).toEqual({
      ...event,
      going_count: 1,
      not_going_count: 1
    });
    expect(withLiveResponse(event, frame(1, 'going', 1, 0), 1)).toMatchObject({
      going_count: 1,
      not_going_count: 0,
      my_response: 'going'
    });
  });

  it('leaves other events as they are', () => {
    const other = { ...event, id: 6 };
    expect(withLiveResponse(other, frame(2, 'going', 1, 1), 1)).toBe(other);
  });
});
