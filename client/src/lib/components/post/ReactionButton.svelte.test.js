// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { HOVER_CLOSE_MS, HOVER_OPEN_MS, LONG_PRESS_MS } from '$lib/reactionPicker.svelte.js';
import ReactionButton from './ReactionButton.svelte';

let component;
function render() {
  const item = $state({ id: 4, reactions: {}, my_reaction: null });
  component = mount(ReactionButton, { target: document.body, props: { which: 'posts', item } });
  flushSync();
  return item;
}
const react = () => document.querySelector('.react');
const menu = () => document.querySelector('[role="menu"]');
const pointer = (target, type, pointerType) =>
  target.dispatchEvent(new PointerEvent(type, { pointerType, bubbles: type !== 'pointerenter' && type !== 'pointerleave' }));

afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('ReactionButton by pointer', () => {
  it('opens the six when the mouse rests on it, and closes them when it leaves', () => {
    vi.useFakeTimers();
    render();
    const group = document.querySelector('.reaction');
    pointer(group, 'pointerenter', 'mouse');
    vi.advanceTimersByTime(HOVER_OPEN_MS - 1);
    flushSync();
    expect(menu()).toBeNull();
    vi.advanceTimersByTime(1);
    flushSync();
    expect(menu()).not.toBeNull();
    expect(menu().contains(document.activeElement)).toBe(false); // hover leaves the focus alone
    pointer(group, 'pointerleave', 'mouse');
    vi.advanceTimersByTime(HOVER_CLOSE_MS);
    flushSync();
    expect(menu()).toBeNull();
  });

  it('opens the six on a long press, and the press is not a like', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    const item = render();
    pointer(react(), 'pointerdown', 'touch');
    vi.advanceTimersByTime(LONG_PRESS_MS);
    flushSync();
    expect(menu()).not.toBeNull();
    pointer(react(), 'pointerup', 'touch');
    react().click(); // what the browser sends when the finger lifts
    flushSync();
    expect(item.my_reaction).toBeNull();
    expect(fetch).not.toHaveBeenCalled();
    expect(menu()).not.toBeNull();
  });

  it('a short tap likes', () => {
    vi.useFakeTimers();
    vi.stubGlobal('fetch', vi.fn(() => new Promise(() => {})));
    const item = render();
    pointer(react(), 'pointerdown', 'touch');
    vi.advanceTimersByTime(LONG_PRESS_MS / 2);
    pointer(react(), 'pointerup', 'touch');
    react().click();
    vi.advanceTimersByTime(LONG_PRESS_MS);
    flushSync();
    expect(item.my_reaction).toBe('like');
    expect(menu()).toBeNull();
  });
});
