import { describe, expect, it } from 'vitest';
import { clickResult, pickResult, ReactionPicker } from './reactionPicker.svelte.js';

const kindAt = (picker) => ['like', 'love', 'haha', 'wow', 'sad', 'angry'][picker.index];

describe('ReactionPicker', () => {
  it('opens from the button with ArrowUp, the menu key or Shift+F10, on my kind', () => {
    for (const event of [{ key: 'ArrowUp' }, { key: 'ContextMenu' }, { key: 'F10', shiftKey: true }]) {
      const picker = new ReactionPicker();
      expect(picker.triggerKey(event, 'haha')).toBe(true);
      expect(picker.open).toBe(true);
      expect(picker.focusInside).toBe(true);
      expect(kindAt(picker)).toBe('haha');
    }
    const picker = new ReactionPicker();
    for (const event of [{ key: 'Enter' }, { key: ' ' }, { key: 'F10' }, { key: 'a' }]) {
      expect(picker.triggerKey(event, null)).toBe(false);
    }
    expect(picker.open).toBe(false);
  });

  it('starts on Like without a reaction; hover does not take the focus', () => {
    const picker = new ReactionPicker();
    picker.show(null);
    expect([picker.open, picker.focusInside, kindAt(picker)]).toEqual([true, false, 'like']);
  });

  it('moves with the arrows (wrapping), Home and End', () => {
    const picker = new ReactionPicker();
    picker.triggerKey({ key: 'ArrowUp' }, null);
    expect(picker.menuKey({ key: 'ArrowRight' })).toEqual({ type: 'move' });
    expect(kindAt(picker)).toBe('love');
    picker.menuKey({ key: 'ArrowLeft' });
    picker.menuKey({ key: 'ArrowLeft' });
    expect(kindAt(picker)).toBe('angry');
    picker.menuKey({ key: 'ArrowRight' });
    expect(kindAt(picker)).toBe('like');
    picker.menuKey({ key: 'End' });
    expect(kindAt(picker)).toBe('angry');
    picker.menuKey({ key: 'Home' });
    expect(kindAt(picker)).toBe('like');
  });

  it('picks with Enter or Space, and closes', () => {
    const picker = new ReactionPicker();
    picker.triggerKey({ key: 'ArrowUp' }, null);
    picker.menuKey({ key: 'ArrowRight' });
    picker.menuKey({ key: 'ArrowRight' });
    expect(picker.menuKey({ key: 'Enter' })).toEqual({ type: 'pick', kind: 'haha' });
    expect(picker.open).toBe(false);
    picker.triggerKey({ key: 'ArrowUp' }, 'sad');
    expect(picker.menuKey({ key: ' ' })).toEqual({ type: 'pick', kind: 'sad' });
  });

  it('closes with Escape or ArrowDown (back to the button) and Tab (onwards)', () => {
    const picker = new ReactionPicker();
    for (const key of ['Escape', 'ArrowDown']) {
      picker.triggerKey({ key: 'ArrowUp' }, null);
      expect(picker.menuKey({ key })).toEqual({ type: 'close', refocus: true });
      expect(picker.open).toBe(false);
    }
    picker.triggerKey({ key: 'ArrowUp' }, null);
    expect(picker.menuKey({ key: 'Tab' })).toEqual({ type: 'close', refocus: false });
    picker.triggerKey({ key: 'ArrowUp' }, null);
    expect(picker.menuKey({ key: 'x' })).toBeNull();
    expect(picker.open).toBe(true);
  });
});

describe('what a click and a pick mean', () => {
  it('a click likes, or withdraws any reaction; picking my own kind again withdraws it', () => {
    expect(clickResult(null)).toBe('like');
    expect(clickResult('angry')).toBeNull();
    expect(pickResult('love', null)).toBe('love');
    expect(pickResult('love', 'like')).toBe('love');
    expect(pickResult('love', 'love')).toBeNull();
  });
});
