// The follow button's state machine. follow_state (API.md) ∈ none | requested | following | self:
//   none      --follow-->   following (public profile) | requested (private: a request is sent)
//   requested --cancel-->   none
//   following --unfollow--> none     (after a confirmation)
//   self: no transition; the button is an "Edit profile" link.
import { follow, unfollow } from '$lib/api.js';

/**
 * What the button offers in a state.
 * @returns {{action: 'follow' | 'cancel' | 'unfollow' | 'edit', label: string, confirm: boolean}}
 */
export function followControl(state, isPublic) {
  switch (state) {
    case 'following':
      return { action: 'unfollow', label: 'Unfollow', confirm: true };
    case 'requested':
      return { action: 'cancel', label: 'Requested', confirm: false };
    case 'self':
      return { action: 'edit', label: 'Edit profile', confirm: false };
    default:
      return { action: 'follow', label: isPublic ? 'Follow' : 'Request to follow', confirm: false };
  }
}

/**
 * Do an action against the server and return the new follow_state.
 * @param {number} userId
 * @param {'follow' | 'cancel' | 'unfollow'} action
 */
export async function runFollowAction(userId, action) {
  if (action === 'follow') {
    const { follow_state } = await follow(userId);
    return follow_state;
  }
  if (action === 'cancel' || action === 'unfollow') {
    await unfollow(userId);
    return 'none';
  }
  throw new Error(`no follow action ${action}`);
}

/** How the followers count moves when the viewer's state goes from `before` to `after`. */
export function followersDelta(before, after) {
  if (before !== 'following' && after === 'following') return 1;
  if (before === 'following' && after !== 'following') return -1;
  return 0;
}

/**
 * Whether the viewer may send a direct message to `user` (a GET /api/users/{id} profile):
 * one of the two must follow the other (accepted), and neither blocks the other.
 */
export const mayMessage = (user) =>
  !user.blocked && (user.follow_state === 'following' || user.follows_you === true);
