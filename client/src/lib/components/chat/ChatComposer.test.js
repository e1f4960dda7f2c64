// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import ChatComposer from './ChatComposer.svelte';
import { chats, startChats, threadOf } from '$lib/state/chats.svelte.js';
import { session } from '$lib/state/session.svelte.js';

// emoji-picker-element needs IndexedDB, which jsdom lacks: a stand-in of the same name and
// constructor; the browser suite uses the real one.
vi.mock('emoji-picker-element', () => {
  class Picker extends HTMLElement {
    constructor(props) {
      super();
      this.props = props;
    }
  }
  customElements.define('emoji-picker', Picker);
  return { Picker };
});

const WITH_BOB = { kind: 'direct', id: 2 };
const textarea = () => document.querySelector('textarea');
const button = (name) => document.querySelector(`button[aria-label="${name}"]`);
const sendButton = () => [...document.querySelectorAll('button')].find((b) => b.textContent === 'Send');

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let component;
let socket;
let stop;
beforeEach(() => {
  session.user = { id: 1, first_name: 'Alice', last_name: 'Tester', nickname: null, avatar_url: null };
  vi.stubGlobal('fetch', vi.fn(async () => Response.json({ items: [], next: null })));
  socket = { sent: [], subscribe: () => () => {}, send: (frame) => socket.sent.push(frame) > 0 };
  stop = startChats(socket);
  component = mount(ChatComposer, { target: document.body, props: { conversation: WITH_BOB } });
  flushSync();
});
afterEach(() => {
  unmount(component);
  stop();
  document.body.innerHTML = '';
});

function type(text, caret = text.length) {
  textarea().value = text;
  textarea().dispatchEvent(new Event('input', { bubbles: true }));
  textarea().setSelectionRange(caret, caret);
  flushSync();
}

describe('ChatComposer', () => {
  it('is labelled "Message" and sends on Enter, not on Shift+Enter', () => {
    expect(document.querySelector('label').textContent).toBe('Message');
    type('hello');
    textarea().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true }));
    flushSync();
    expect(threadOf(WITH_BOB).outbox).toHaveLength(0);
    textarea().dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    flushSync();
    expect(threadOf(WITH_BOB).outbox.map((m) => m.body)).toEqual(['hello']);
    expect(textarea().value).toBe('');
    expect(socket.sent.at(-1)).toMatchObject({ type: 'chat.send', to: { user: 2 }, body: 'hello' });
  });

  it('inserts a picked emoji at the caret; Escape closes the picker and returns focus', async () => {
    type('hi there', 2);
    button('Insert emoji').click();
    const dialog = document.querySelector('[role="dialog"][aria-label="Emoji"]');
    const picker = await vi.waitFor(() => dialog.querySelector('emoji-picker') ?? Promise.reject(new Error('no picker')));
    flushSync();
    expect(button('Insert emoji').getAttribute('aria-expanded')).toBe('true');
    expect(dialog.hidden).toBe(false);
    // Its data comes from our own origin, never a CDN.
    expect(picker.props.dataSource).toMatch(/^\/[^/].*data\.json$/);
    // No fine pointer here (a touch screen): the panel has the focus, not the search.
    expect(document.activeElement).toBe(dialog);

    picker.dispatchEvent(new CustomEvent('emoji-click', { detail: { unicode: '🧗🏽‍♀️' }, bubbles: true, composed: true }));
    await vi.waitFor(() => expect(document.activeElement).toBe(textarea()));
    expect(textarea().value).toBe('hi🧗🏽‍♀️ there');
    expect(textarea().selectionStart).toBe(2 + '🧗🏽‍♀️'.length);
    expect(dialog.hidden).toBe(true);

    expect(picker.isConnected).toBe(false);

    // A fresh picker each time (it reads the most used emoji when it is made).
    button('Insert emoji').click();
    await vi.waitFor(() => expect(dialog.querySelector('emoji-picker')).not.toBeNull());
    expect(dialog.hidden).toBe(false);
    expect(dialog.querySelectorAll('emoji-picker')).toHaveLength(1);
    expect(dialog.querySelector('emoji-picker')).not.toBe(picker);
    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(dialog.hidden).toBe(true);
    expect(document.activeElement).toBe(button('Insert emoji'));
  });

  it('counts characters near the limit and refuses too many', () => {
    type('a'.repeat(100));
    expect(document.querySelector('.count').textContent.trim()).toBe('');
    type('😀'.repeat(1900));
    expect(document.querySelector('.count').textContent.trim()).toBe('1900 / 2000');
    type('😀'.repeat(2001));
    expect(sendButton().disabled).toBe(true);
    expect(textarea().getAttribute('aria-invalid')).toBe('true');
    expect(chats.threads['direct:2']?.outbox ?? []).toHaveLength(0);
  });
});
