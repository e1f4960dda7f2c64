// Quiet, dismissible toasts for what arrives live (svelte-sonner; the root layout renders its
// Toaster and starts this with the socket): a new notification, and a chat message whose
// conversation is not on screen. Nothing for what the page already shows: notifications on
// /notifications, messages on /messages or in their open conversation, one's own messages.
import { goto } from '$app/navigation';
import { toast } from 'svelte-sonner';
import { conversationHref, conversationName } from '$lib/components/chat/format.js';
import { describeNotification, fullName } from '$lib/notificationText.js';
import { SERVER } from '$lib/realtime/protocol.js';
import { conversationOf, isShown, keyOf } from '$lib/state/chats.svelte.js';
import { onArrival } from '$lib/state/notifications.svelte.js';
import { session } from '$lib/state/session.svelte.js';

/** A message longer than this is cut in its toast. */
export const EXCERPT_LENGTH = 120;

const excerpt = (text) =>
  [...text].length > EXCERPT_LENGTH ? `${[...text].slice(0, EXCERPT_LENGTH - 1).join('')}…` : text;

/** What a toast says about a notification: `{title, href}`. */
export function notificationToast(notification) {
  const { text, href } = describeNotification(notification);
  return { title: `${fullName(notification.actor)} ${text}`, href };
}

/** What a toast says about a chat message, or null when it should say nothing. */
export function messageToast(message, { path, shown, me }) {
  if (message.sender?.id === me) return null;
  if (path.startsWith('/messages') && !path.startsWith('/messages/')) return null; // the list
  if (shown) return null;
  const conversation = message.conversation;
  const known = conversationOf(keyOf(conversation));
  const sender = fullName(message.sender);
  const title =
    conversation.kind === 'group'
      ? `${sender} in ${known ? conversationName(known) : 'a group chat'}`
      : sender;
  return { title, description: excerpt(message.body), href: conversationHref(conversation) };
}

/**
 * Toast what arrives on `socket` until the returned function is called.
 * @param {{subscribe: Function}} socket
 * @param {{path?: () => string, show?: typeof toast}} [options] for tests
 */
export function startLiveToasts(socket, { path = () => location.pathname, show = toast } = {}) {
  const open = (href) => ({ label: 'View', onClick: () => goto(href) });
  const stops = [
    onArrival((notification) => {
      if (path() === '/notifications') return;
      const { title, href } = notificationToast(notification);
      show(title, { action: href ? open(href) : undefined });
    }),
    socket.subscribe(SERVER.CHAT_MESSAGE, ({ message }) => {
      const said = messageToast(message, {
        path: path(),
        shown: isShown(keyOf(message.conversation)),
        me: session.user?.id
      });
      if (said) show(said.title, { description: said.description, action: open(said.href) });
    })
  ];
  return () => stops.forEach((stop) => stop());
}
