// Words and times of the chat screens.
import { fullName } from '$lib/notificationText.js';

/** "2:05 PM" today, "12 Mar, 2:05 PM" another day (in the reader's locale; the hour without a
 * leading zero, as every other time in the client). */
export function messageTime(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  if (date.toDateString() === now.toDateString()) return time;
  const day = date.toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric'
  });
  return `${day}, ${time}`;
}

/** "Bob is typing…", "Bob and Carol are typing…", "Several people are typing…" */
export function typingText(users) {
  const names = users.map((user) => user.first_name || fullName(user));
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return 'Several people are typing…';
}

/** The name of a conversation in the list. */
export function conversationName(conversation) {
  if (conversation.kind === 'group') return conversation.group?.title ?? 'Group chat';
  return conversation.peer ? fullName(conversation.peer) : 'Conversation';
}

/** A conversation's address in the app. */
export const conversationHref = ({ kind, id }) => `/messages/${kind}/${id}`;
