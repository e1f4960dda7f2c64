// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/') }));
vi.mock('$app/state', () => ({ page }));
const { chats } = await import('$lib/state/chats.svelte.js');
const { default: MessagesIndicator } = await import('./MessagesIndicator.svelte');

let component;
afterEach(() => {
  unmount(component);
  chats.conversations = [];
  document.body.innerHTML = '';
});

describe('messages indicator', () => {
  it('shows the unread count of the chats state and starts nothing itself (the layout does)', () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    chats.conversations = [{ kind: 'direct', id: 2, last_message: { id: 5 }, unread_count: 4 }];
    component = mount(MessagesIndicator, { target: document.body });
    flushSync();
    expect(document.querySelector('[data-testid="messages-count"]').textContent).toBe('4');
    expect(document.getElementById('messages-count-text').textContent.trim()).toBe('4 unread');
    expect(fetch).not.toHaveBeenCalled();
  });
});
