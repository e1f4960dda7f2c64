import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { DEBOUNCE_MS, SearchBox } = await import('./search.svelte.js');

afterEach(() => vi.useRealTimers());

describe('SearchBox', () => {
  it('puts the query in the address after a pause in typing, once', () => {
    vi.useFakeTimers();
    const box = new SearchBox('/people', '');
    box.query = 'ad';
    box.oninput();
    box.query = ' ada ';
    box.oninput();
    vi.advanceTimersByTime(DEBOUNCE_MS - 1);
    expect(goto).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(goto).toHaveBeenCalledOnce();
    expect(goto).toHaveBeenCalledWith('/people?q=ada', expect.objectContaining({ replaceState: true, keepFocus: true }));
  });

  it('searches at once on submit, afresh even for the same query; an empty one drops ?q=', () => {
    vi.useFakeTimers();
    const box = new SearchBox('/groups', 'chess');
    const event = { preventDefault: vi.fn() };
    box.oninput();
    box.onsubmit(event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(goto).toHaveBeenCalledWith('/groups?q=chess', expect.objectContaining({ invalidateAll: true }));
    vi.advanceTimersByTime(DEBOUNCE_MS);
    expect(goto).toHaveBeenCalledOnce(); // the pending one was dropped
    box.query = '  ';
    box.search();
    expect(goto).toHaveBeenLastCalledWith('/groups', expect.anything());
  });
});
