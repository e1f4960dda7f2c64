// Groups and their events, apart from their looks: what a viewer may do in each state, the
// tabs they see, an event's day and time, answers and their counts, and who may be invited.
//   my_state (API.md) ∈ none | invited | requested | member | creator
//   none     --request-->  requested   (the creator answers)  --cancel--> none
//   invited  --accept-->   member      --decline--> none
//   member   --leave-->    none        (the creator cannot leave)
import {
  answerGroupInvitation,
  cancelJoinRequest,
  getGroup,
  getNotifications,
  requestToJoinGroup
} from '$lib/api.js';
import { notifications, settleRequest } from '$lib/state/notifications.svelte.js';

/** Members and the creator see the group's posts, events, members and chat. */
export const isMember = (state) => state === 'member' || state === 'creator';

/**
 * What a group offers the viewer, in order. `action` null: a state to show, nothing to do.
 * @returns {{action: 'request' | 'cancel' | 'accept' | 'decline' | 'open' | null, label: string, secondary?: boolean}[]}
 */
export function groupActions(state) {
  switch (state) {
    case 'none':
      return [{ action: 'request', label: 'Request to join' }];
    case 'requested':
      return [
        { action: null, label: 'Requested' },
        { action: 'cancel', label: 'Cancel request', secondary: true }
      ];
    case 'invited':
      return [
        { action: 'accept', label: 'Accept invitation' },
        { action: 'decline', label: 'Decline', secondary: true }
      ];
    case 'member':
    case 'creator':
      return [{ action: 'open', label: 'Open' }];
    default:
      return [];
  }
}

/** The viewer's state in words ('' for none, and for requested: its action says so). */
export function stateLabel(state) {
  return (
    {
      creator: 'You created this group',
      member: 'Member',
      invited: 'You are invited'
    }[state] ?? ''
  );
}

/**
 * The viewer's groups, from the chat list (`GET /api/chats` has a room for every group one
 * belongs to, from its first day): the most recently active first, then those still quiet.
 * @returns {{id: number, title: string, lastActive: string | null, unread: number}[]}
 */
export function yourGroups(conversations) {
  return conversations
    .filter((c) => c.kind === 'group' && c.group?.title)
    .map((c) => ({
      id: c.id,
      title: c.group.title,
      lastActive: c.last_message?.created_at ?? null,
      unread: c.unread_count ?? 0
    }))
    .sort((a, b) => (b.lastActive ?? '').localeCompare(a.lastActive ?? '') || a.title.localeCompare(b.title));
}

export const membersLabel = (count) => `${count} ${count === 1 ? 'member' : 'members'}`;

/** The start of a description, cut at a word, for a card. */
export function excerpt(text, max = 160) {
  const clean = (text ?? '').replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}

const TABS = [
  { id: 'posts', label: 'Posts' },
  { id: 'events', label: 'Events' },
  { id: 'members', label: 'Members' },
  { id: 'chat', label: 'Chat' },
  { id: 'requests', label: 'Requests', creatorOnly: true }
];

/** The tabs of a group's page for the viewer: none for a non-member. */
export function groupTabs(state) {
  if (!isMember(state)) return [];
  return TABS.filter((tab) => !tab.creatorOnly || state === 'creator');
}

/** The tab asked for in the URL when the viewer has it, else the first one. */
export function pickTab(tabs, wanted) {
  return tabs.find((tab) => tab.id === wanted)?.id ?? tabs[0]?.id ?? null;
}

// ---- Acting on a group ------------------------------------------------------------------

const INVITATION_PAGES = 5;

const pendingInvitation = (groupId) => (n) =>
  n.kind === 'group_invitation' && n.subject?.group_id === groupId && n.state === 'pending';

/**
 * The id of the viewer's pending invitation to a group. The group object does not carry it,
 * so it is read from the invitation's notification: the bell's list first, then older pages.
 * @returns {Promise<number | null>}
 */
export async function findInvitationId(groupId) {
  const match = pendingInvitation(groupId);
  const known = notifications.items.find(match);
  if (known) return known.subject.invitation_id;
  let before;
  for (let page = 0; page < INVITATION_PAGES; page += 1) {
    const { items, next } = await getNotifications({ before, limit: 100 });
    const found = items.find(match);
    if (found) return found.subject.invitation_id;
    if (next === null || next === undefined) break;
    before = next;
  }
  return null;
}

/** An error fit for the action buttons, when the invitation cannot be found. */
export class InvitationNotFound extends Error {
  constructor() {
    super('This invitation could not be found. Answer it from your notifications.');
    this.code = 'not_found';
  }
}

/**
 * Do what a group's action button asks, then return the group as the server now sees it.
 * @param {{id: number}} group
 * @param {'request' | 'cancel' | 'accept' | 'decline'} action
 */
export async function runGroupAction(group, action) {
  if (action === 'request') {
    await requestToJoinGroup(group.id).catch((err) => {
      if (err.code !== 'conflict') throw err; // a member already: the fresh group says so
    });
  } else if (action === 'cancel') {
    await cancelJoinRequest(group.id); // already answered: the fresh group says so
  } else if (action === 'accept' || action === 'decline') {
    const invitationId = await findInvitationId(group.id);
    if (invitationId === null) throw new InvitationNotFound();
    await answerGroupInvitation(invitationId, action);
    settleRequest('group_invitation', invitationId, action === 'accept' ? 'accepted' : 'declined');
  } else {
    throw new Error(`no group action ${action}`);
  }
  return (await getGroup(group.id)).group;
}

// ---- Events -----------------------------------------------------------------------------

const pad = (n) => String(n).padStart(2, '0');

/** A Date as the value of an <input type="datetime-local"> (local time, minutes). */
export function toLocalInputValue(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(
    date.getHours()
  )}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (the viewer's local time) as ISO 8601 UTC, or null when invalid. */
export function localToIso(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value ?? '')) return null;
  const date = new Date(value); // no zone: read as local time
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/**
 * What stops an event from being created, by field (`{}` when it may go).
 * @param {{title: string, description: string, when: string}} draft `when`: a datetime-local value
 */
export function checkEvent({ title, description, when }, now = Date.now()) {
  const errors = {};
  if (!title.trim()) errors.title = 'Give the event a title.';
  if (!description.trim()) errors.description = 'Say what the event is about.';
  const iso = localToIso(when);
  if (!when) errors.starts_at = 'Choose a day and time.';
  else if (!iso) errors.starts_at = 'Enter a valid day and time.';
  else if (new Date(iso).getTime() <= now) errors.starts_at = 'Choose a time in the future.';
  return errors;
}

/** The event as it is once the viewer answers `response`: the counts move with the answer. */
export function withResponse(event, response) {
  const previous = event.my_response;
  if (previous === response) return event;
  const counts = { going: event.going_count, not_going: event.not_going_count };
  if (previous in counts) counts[previous] = Math.max(0, counts[previous] - 1);
  counts[response] += 1;
  return {
    ...event,
    my_response: response,
    going_count: counts.going,
    not_going_count: counts.not_going
  };
}

/**
 * An event after someone's answer arrived live (an `event.response` frame): the server's counts,
 * and my own answer when it was mine (from another tab). Another event is returned unchanged.
 */
export function withLiveResponse(event, frame, myId) {
  if (event.id !== frame.event.id) return event;
  return {
    ...event,
    going_count: frame.event.going_count,
    not_going_count: frame.event.not_going_count,
    my_response: frame.user_id === myId ? frame.response : event.my_response
  };
}

/** "Saturday 14 June 2031 at 09:30" in the viewer's locale and time zone ('' when invalid). */
export function formatEventTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'full', timeStyle: 'short' });
}

/** The calendar chip of an event: `{month: 'Jun', day: '14'}` in the viewer's locale. */
export function calendarChip(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { month: '', day: '' };
  return {
    month: date.toLocaleDateString(undefined, { month: 'short' }),
    day: date.toLocaleDateString(undefined, { day: 'numeric' })
  };
}

export const countsLabel = (event) =>
  `${event.going_count} going · ${event.not_going_count} not going`;

// ---- Invitations ------------------------------------------------------------------------

const searchable = (user) =>
  `${user.first_name ?? ''} ${user.last_name ?? ''} ${user.nickname ?? ''}`.toLowerCase();

/** Whether every word of `query` is in the user's names or nickname. */
export function matchesQuery(user, query) {
  const words = (query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const text = searchable(user);
  return words.every((word) => text.includes(word));
}

/**
 * Whom the invite dialog suggests: the viewer's followers first (those matching the query),
 * then the other search results; never a member, the viewer, or one person twice.
 * @returns {(object & {follower: boolean})[]}
 */
export function inviteCandidates({ query = '', followers = [], results = [], memberIds = [], selfId }) {
  const excluded = new Set([...memberIds, selfId]);
  const seen = new Set();
  const out = [];
  const add = (user, follower) => {
    if (excluded.has(user.id) || seen.has(user.id)) return;
    seen.add(user.id);
    out.push({ ...user, follower });
  };
  const followerIds = new Set(followers.map((user) => user.id));
  followers.filter((user) => matchesQuery(user, query)).forEach((user) => add(user, true));
  if (query.trim()) results.forEach((user) => add(user, followerIds.has(user.id)));
  return out;
}
