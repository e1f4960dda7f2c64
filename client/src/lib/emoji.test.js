import { describe, expect, it } from 'vitest';
import { codePointLength, insertAtCaret } from './emoji.js';

describe('insertAtCaret', () => {
  it('inserts at the caret and puts the caret after the insertion', () => {
    expect(insertAtCaret('hello world', '😀', 5)).toEqual({ text: 'hello😀 world', caret: 7 });
  });

  it('replaces the selection', () => {
    expect(insertAtCaret('hello world', '🧗‍♀️', 6, 11)).toEqual({ text: 'hello 🧗‍♀️', caret: 11 });
  });

  it('appends when the field never had a caret, and clamps stray positions', () => {
    expect(insertAtCaret('hi', '!', undefined)).toEqual({ text: 'hi!', caret: 3 });
    expect(insertAtCaret('hi', '!', 99, 120)).toEqual({ text: 'hi!', caret: 3 });
  });
});

describe('codePointLength', () => {
  it('counts code points as the server does', () => {
    expect(codePointLength('😀')).toBe(1);
    expect(codePointLength('🧗‍♀️')).toBe(4);
  });
});
