import { describe, expect, it } from 'vitest';
import { breakPoints } from './wrap.js';

describe('breakPoints', () => {
  it('allows a break before each @ and dot, nowhere else', () => {
    expect(breakPoints('ada.lovelace@example.co.uk')).toEqual(['ada', '.lovelace', '@example', '.co', '.uk']);
    expect(breakPoints('someone@localhost')).toEqual(['someone', '@localhost']);
    expect(breakPoints('plain')).toEqual(['plain']);
    expect(breakPoints('')).toEqual([]);
    expect(breakPoints(null)).toEqual([]);
  });
});
