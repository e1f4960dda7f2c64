// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

const page = vi.hoisted(() => ({ status: 404, error: { message: 'Not Found' } }));
vi.mock('$app/state', () => ({ page }));
vi.mock('$app/navigation', () => ({ invalidateAll: vi.fn(async () => {}) }));
const { invalidateAll } = await import('$app/navigation');
const { default: ErrorPage } = await import('./+error.svelte');

let component;
function render(status, error) {
  Object.assign(page, { status, error });
  component = mount(ErrorPage, { target: document.body });
  flushSync();
}
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
});
const text = () => document.body.textContent.replace(/\s+/g, ' ');
const button = (label) => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === label);

describe('error page', () => {
  it('says a page is not found, with its status and a link home', () => {
    render(404, { message: 'Not Found' });
    expect(document.querySelector('h1').textContent).toBe('Page not found');
    expect(text()).toContain('Error 404');
    expect(text()).toContain('There is nothing at this address.');
    expect(document.querySelector('a[href="/"]').textContent).toBe('Back to Home');
    expect(button('Try again')).toBeUndefined();
  });

  it('speaks of what a load function found missing in its own words', () => {
    render(404, { title: "This post isn't available", message: 'It may have been deleted.' });
    expect(document.querySelector('h1').textContent).toBe("This post isn't available");
    expect(text()).toContain('It may have been deleted.');
    expect(document.querySelector('a[href="/"]')).not.toBeNull();
  });

  it('says something went wrong otherwise, and tries again', () => {
    render(503, { title: 'Something went wrong', message: 'Could not reach socialnet.' });
    expect(document.querySelector('h1').textContent).toBe('Something went wrong');
    expect(text()).toContain('Error 503');
    expect(text()).toContain('Could not reach socialnet.');
    button('Try again').click();
    expect(invalidateAll).toHaveBeenCalledOnce();
  });

  it('does not show an unexpected error’s own text', () => {
    render(500, { message: 'Internal Error' });
    expect(document.querySelector('h1').textContent).toBe('Something went wrong');
    expect(text()).not.toContain('Internal Error');
  });
});
