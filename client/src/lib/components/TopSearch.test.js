// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ url: new URL('http://localhost/') }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { default: TopBar } = await import('./TopBar.svelte');

const ADA = { id: 1, first_name: 'Ada', last_name: 'Lovelace', avatar_url: null };
let bar;
function render(path) {
  page.url = new URL(path, 'http://localhost');
  bar = mount(TopBar, { target: document.body, props: { user: ADA, onlogout: () => {} } });
  flushSync();
}
const input = () => document.getElementById('top-search-q');
function search(words) {
  input().value = words;
  input().dispatchEvent(new Event('input', { bubbles: true }));
  input().form.requestSubmit();
}
afterEach(() => {
  unmount(bar);
  document.body.innerHTML = '';
});

describe('the top bar’s search box', () => {
  it('searches people from anywhere, trimmed, and nothing for blanks', () => {
    render('/groups');
    expect(input().labels[0].textContent).toBe('Search socialnet');
    search('   ');
    expect(goto).not.toHaveBeenCalled();
    search(' ada ');
    expect(goto).toHaveBeenCalledWith('/search?q=ada&type=people', { keepFocus: true });
  });

  it('on the results page, holds the query and keeps the tab', () => {
    render('/search?q=chess&type=posts');
    expect(input().value).toBe('chess');
    search('chess club');
    expect(goto).toHaveBeenCalledWith('/search?q=chess+club&type=posts', { keepFocus: true });
  });

  it('opens from its icon (on phones) and says so', async () => {
    render('/');
    const toggle = document.querySelector('button[aria-label="Search"]');
    expect(toggle.getAttribute('aria-controls')).toBe('top-search');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    flushSync();
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(document.querySelector('.search').classList.contains('open')).toBe(true);
    await vi.waitFor(() => expect(document.activeElement).toBe(input()));
    input().dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(toggle);
  });
});
