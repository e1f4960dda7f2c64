import { describe, expect, it } from 'vitest';
import { messageTime } from './format.js';

describe('messageTime', () => {
  const now = new Date(2026, 11, 1, 15, 0);

  it('gives the hour without a leading zero, as the rest of the client', () => {
    const time = messageTime(new Date(2026, 11, 1, 2, 35).toISOString(), now);
    expect(time).toBe(new Date(2026, 11, 1, 2, 35).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' }));
    expect(time).not.toMatch(/^0/);
  });

  it('names the day for another day, and the year for another year', () => {
    expect(messageTime(new Date(2026, 2, 12, 9, 5).toISOString(), now)).toMatch(/12/);
    expect(messageTime(new Date(2025, 2, 12, 9, 5).toISOString(), now)).toMatch(/2025/);
  });

  it('is empty for what is not a time', () => {
    expect(messageTime('not a time', now)).toBe('');
  });
});
