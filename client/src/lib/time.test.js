import { describe, expect, it } from 'vitest';
import { formatDateTime } from './time.js';

describe('formatDateTime', () => {
  it('names the year only when it is not this one', () => {
    const now = new Date(2026, 11, 1, 9, 0).getTime();
    const thisYear = formatDateTime(new Date(2026, 11, 24, 18, 30).toISOString(), now);
    const later = formatDateTime(new Date(2030, 5, 15, 14, 0).toISOString(), now);
    const earlier = formatDateTime(new Date(2025, 0, 3, 8, 0).toISOString(), now);
    expect(thisYear).not.toContain('2026');
    expect(thisYear).toContain('24');
    expect(later).toContain('2030');
    expect(earlier).toContain('2025');
    expect(formatDateTime('not a date', now)).toBe('');
  });

  it('writes the hour without a leading zero', () => {
    const at = new Date(2026, 11, 24, 9, 5);
    const expected = at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
    const said = formatDateTime(at.toISOString(), at.getTime());
    expect(said.endsWith(expected) && !/\d/.test(said.at(-expected.length - 1))).toBe(true);
  });
});
