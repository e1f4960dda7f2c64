// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { countInTitle, titleWithCount } from './tabTitle.js';

describe('titleWithCount', () => {
  it('puts the count in front, replaces one already there, and drops it at 0', () => {
    expect(titleWithCount('Home · socialnet', 3)).toBe('(3) Home · socialnet');
    expect(titleWithCount('(3) Home · socialnet', 4)).toBe('(4) Home · socialnet');
    expect(titleWithCount('(99+) Home · socialnet', 0)).toBe('Home · socialnet');
    expect(titleWithCount('Home · socialnet', 250)).toBe('(99+) Home · socialnet');
  });
});

describe('countInTitle', () => {
  let keeper;
  afterEach(() => keeper?.stop());

  it('keeps the count in front of whatever title a page sets, until stopped', async () => {
    document.title = 'Home · socialnet';
    keeper = countInTitle(document);
    keeper.set(2);
    expect(document.title).toBe('(2) Home · socialnet');
    document.title = 'People · socialnet'; // a navigation
    await Promise.resolve(); // the observer's turn
    expect(document.title).toBe('(2) People · socialnet');
    keeper.set(0);
    expect(document.title).toBe('People · socialnet');
    keeper.set(5);
    keeper.stop();
    expect(document.title).toBe('People · socialnet');
  });
});
