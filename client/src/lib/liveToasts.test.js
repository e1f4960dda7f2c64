// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { startLiveToasts, messageToast } = await import('./liveToasts.js');
const { receiveNotification } = await import('$lib/state/notifications.svelte.js');
const { openConversation } = await import('$lib/state/chats.svelte.js');
const { session } = await import('$lib/state/session.svelte.js');
const { FakeSocket } = await import('$lib/testing/fakeSocket.svelte.js');

const ALICE = { id: 1, first_name: 'Alice', last_name: 'Tester' };
const BOB = { id: 2, first_name: 'Bob', last_name: 'Tester' };
const follower = (id, read = false) => ({
  id,
  kind: 'new_follower',
  actor: BOB,
  subject: { user_id: 2 },
  state: null,
  read,
  created_at: new Date().toISOString()
});
const message = (sender, conversation = { kind: 'direct', id: 2 }) => ({
  id: 9,
  conversation,
  sender,
  body: 'Climbing on Saturday?',
  created_at: new Date().toISOString(),
  client_msg_id: null
});

let socket;
let show;
let path;
let stop;
beforeEach(() => {
  session.user = ALICE;
  socket = new FakeSocket();
  show = vi.fn();
  path = '/';
  stop = startLiveToasts(socket, { path: () => path, show });
});
afterEach(() => {
  stop();
  session.user = null;
});

describe('startLiveToasts', () => {
  it('toasts a new notification with a way to it, once, and not on /notifications', () => {
    receiveNotification({ type: 'notification', notification: follower(5), unread_count: 1 });
    expect(show).toHaveBeenCalledOnce();
    const [title, { action }] = show.mock.calls[0];
    expect(title).toBe('Bob Tester started following you.');
    action.onClick();
    expect(goto).toHaveBeenCalledWith('/users/2');
    // The same one changed (read in another tab): no new toast.
    receiveNotification({ type: 'notification', notification: follower(5, true), unread_count: 0 });
    path = '/notifications';
    receiveNotification({ type: 'notification', notification: follower(6), unread_count: 1 });
    expect(show).toHaveBeenCalledOnce();
  });

  it('toasts a message whose conversation is not on screen', () => {
    socket.emit({ type: 'chat.message', message: message(BOB) });
    expect(show).toHaveBeenCalledWith('Bob Tester', {
      description: 'Climbing on Saturday?',
      action: expect.objectContaining({ label: 'View' })
    });
    show.mock.calls[0][1].action.onClick();
    expect(goto).toHaveBeenCalledWith('/messages/direct/2');
  });

  it('says nothing of one’s own messages, of the open conversation, or on the list', () => {
    socket.emit({ type: 'chat.message', message: message(ALICE) });
    const close = openConversation({ kind: 'direct', id: 2 });
    socket.emit({ type: 'chat.message', message: message(BOB) });
    close();
    path = '/messages';
    socket.emit({ type: 'chat.message', message: message(BOB) });
    expect(show).not.toHaveBeenCalled();
  });
});

describe('messageToast', () => {
  it('names the group of a group message and cuts long ones', () => {
    const long = { ...message(BOB, { kind: 'group', id: 7 }), body: 'x'.repeat(300) };
    const said = messageToast(long, { path: '/', shown: false, me: 1 });
    expect(said.title).toBe('Bob Tester in a group chat');
    expect([...said.description]).toHaveLength(120);
    expect(said.href).toBe('/messages/group/7');
  });
});
