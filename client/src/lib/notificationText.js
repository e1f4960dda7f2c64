// What a notification says, by kind: the words after the actor's name and where it leads.
import { reactionOf } from '$lib/reactions.js';
import { formatDateTime } from '$lib/time.js';

const profile = (n) => `/users/${n.subject?.user_id ?? n.actor?.id}`;
const group = (n) => `/groups/${n.subject.group_id}`;

const KINDS = {
  follow_request: (n) => ({ text: 'wants to follow you.', href: `/users/${n.actor?.id}` }),
  follow_accepted: (n) => ({ text: 'accepted your follow request.', href: profile(n) }),
  new_follower: (n) => ({ text: 'started following you.', href: profile(n) }),
  group_invitation: (n) => ({
    text: `invited you to join the group ${n.subject.group_title}.`,
    href: group(n)
  }),
  group_join_request: (n) => ({
    text: `asked to join your group ${n.subject.group_title}.`,
    href: group(n)
  }),
  group_join_accepted: (n) => ({
    text: `accepted your request to join ${n.subject.group_title}.`,
    href: group(n)
  }),
  group_invitation_accepted: (n) => ({
    text: `accepted your invitation to ${n.subject.group_title}.`,
    href: group(n)
  }),
  group_event: (n) => ({
    text: `created the event ${n.subject.event_title} in ${n.subject.group_title}${
      n.subject.starts_at ? `, on ${formatDateTime(n.subject.starts_at)}` : ''
    }.`,
    href: `${group(n)}?tab=events`
  }),
  post_comment: (n) => ({ text: 'commented on your post.', href: `/posts/${n.subject.post_id}` }),
  reaction: (n) => ({
    text: `reacted ${reactionOf(n.subject.reaction).emoji} to your ${n.subject.comment_id ? 'comment' : 'post'}.`,
    href: `/posts/${n.subject.post_id}`
  })
};

/**
 * @param {{kind: string, actor: object, subject: object}} notification
 * @returns {{text: string, href: string | null}} the sentence after the actor's name, the link
 */
export function describeNotification(notification) {
  const kind = KINDS[notification.kind];
  if (!kind) return { text: 'sent you a notification.', href: null };
  try {
    return kind(notification);
  } catch {
    return { text: 'sent you a notification.', href: null };
  }
}

/** The actor's display name. */
export const fullName = (user) =>
  [user?.first_name, user?.last_name].filter(Boolean).join(' ') || 'Someone';
