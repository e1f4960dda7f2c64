// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { session } = await import('$lib/state/session.svelte.js');
const { default: LoginPage } = await import('./+page.svelte');

function fill(id, value) {
  const input = document.getElementById(id);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function logIn() {
  fill('email', 'ada@example.com');
  fill('password', 'not the password');
  [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Log in').click();
}

let page;
beforeEach(() => {
  page = mount(LoginPage, { target: document.body });
  flushSync();
});
afterEach(() => {
  unmount(page);
  document.body.innerHTML = '';
});

describe('login page', () => {
  it('labels its inputs', () => {
    expect(document.querySelector('label[for="email"]').textContent.trim()).toBe('Email');
    expect(document.querySelector('label[for="password"]').textContent.trim()).toBe('Password');
  });

  it("shows the server's message in an alert", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        Response.json(
          { error: { code: 'invalid_credentials', message: 'Wrong email or password.' } },
          { status: 401 }
        )
      )
    );
    logIn();
    await vi.waitFor(() =>
      expect(document.querySelector('[role="alert"]')?.textContent).toBe('Wrong email or password.')
    );
    expect(goto).not.toHaveBeenCalled();
  });

  it('sets the user and goes home', async () => {
    const user = { id: 1, first_name: 'Ada' };
    vi.stubGlobal('fetch', vi.fn(async () => Response.json({ user })));
    logIn();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/'));
    expect(session.user).toEqual(user);
  });
});
