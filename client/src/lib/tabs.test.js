import { describe, expect, it } from 'vitest';
import { tabAfterKey } from './tabs.js';

describe('tabAfterKey', () => {
  const ids = ['people', 'groups', 'posts'];
  it('moves with the arrows, wrapping, and to the ends with Home and End', () => {
    expect(tabAfterKey('ArrowRight', ids, 'people')).toBe('groups');
    expect(tabAfterKey('ArrowRight', ids, 'posts')).toBe('people');
    expect(tabAfterKey('ArrowLeft', ids, 'people')).toBe('posts');
    expect(tabAfterKey('Home', ids, 'posts')).toBe('people');
    expect(tabAfterKey('End', ids, 'people')).toBe('posts');
  });

  it('leaves other keys alone', () => {
    expect(tabAfterKey('Enter', ids, 'people')).toBeNull();
    expect(tabAfterKey('ArrowDown', ids, 'people')).toBeNull();
  });
});
