// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';

vi.mock('$app/navigation', () => ({ goto: vi.fn(async () => {}) }));
const { goto } = await import('$app/navigation');
const { session } = await import('$lib/state/session.svelte.js');
const { default: RegisterPage } = await import('./+page.svelte');

const LABELS = {
  Email: 'email',
  Password: 'password',
  'First name': 'first_name',
  'Last name': 'last_name',
  'Date of birth': 'date_of_birth',
  'Avatar (optional)': 'avatar',
  'Nickname (optional)': 'nickname',
  'About me (optional)': 'about_me',
  'Public profile': 'visibility-public',
  'Private profile': 'visibility-private'
};

/** The control a label names, like Playwright's getByLabel(text, {exact: true}). */
function byLabel(text) {
  const label = [...document.querySelectorAll('label')].find(
    (l) => l.textContent.replace(/\s+/g, ' ').trim() === text
  );
  return label && document.getElementById(label.htmlFor);
}

function type(text, value) {
  const input = byLabel(text);
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function fillRequired() {
  type('Email', 'ada@example.com');
  type('Password', 'correct horse');
  type('First name', 'Ada');
  type('Last name', 'Lovelace');
  type('Date of birth', '1990-12-10');
}

function submit() {
  [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Create account').click();
}

function answer(status, body) {
  const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

let page;
beforeEach(() => {
  page = mount(RegisterPage, { target: document.body });
  flushSync();
});
afterEach(() => {
  unmount(page);
  document.body.innerHTML = '';
});

describe('register page', () => {
  it('labels every field of the brief', () => {
    for (const [text, id] of Object.entries(LABELS)) expect(byLabel(text)?.id, text).toBe(id);
    expect(byLabel('Date of birth').type).toBe('date');
    expect(byLabel('Avatar (optional)').accept).toBe('image/jpeg,image/png,image/gif');
    expect(byLabel('About me (optional)').tagName).toBe('TEXTAREA');
    expect(byLabel('Public profile').checked).toBe(true);
  });

  it('checks required fields before asking the server', async () => {
    const fetch = answer(201, {});
    type('Password', 'short');
    submit();
    await vi.waitFor(() => expect(byLabel('Email').getAttribute('aria-invalid')).toBe('true'));
    expect(byLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById('password-error').textContent).toMatch(/8 characters/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('shows each 422 message next to its field', async () => {
    answer(422, {
      error: { code: 'validation_error', message: 'Check the form.', fields: { date_of_birth: 'must be in the past' } }
    });
    fillRequired();
    submit();
    await vi.waitFor(() => expect(byLabel('Date of birth').getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById('date_of_birth-error').textContent).toBe('Enter a date of birth in the past.');
    expect(byLabel('Date of birth').getAttribute('aria-describedby')).toContain('date_of_birth-error');
    expect(byLabel('Email').hasAttribute('aria-invalid')).toBe(false);
  });

  it('says when the email is taken', async () => {
    answer(409, { error: { code: 'email_taken', message: 'Already registered.' } });
    fillRequired();
    submit();
    await vi.waitFor(() =>
      expect(document.getElementById('email-error')?.textContent).toBe('This email is already registered.')
    );
  });

  it('sends the form, sets the user and goes home', async () => {
    const user = { id: 7, first_name: 'Ada', last_name: 'Lovelace', is_public: false };
    const fetch = answer(201, { user });
    fillRequired();
    byLabel('Private profile').click();
    submit();
    await vi.waitFor(() => expect(goto).toHaveBeenCalledWith('/'));
    expect(session.user).toEqual(user);
    const [path, init] = fetch.mock.calls[0];
    expect(path).toBe('/api/auth/register');
    expect(init.body.get('is_public')).toBe('false');
    expect(init.body.get('date_of_birth')).toBe('1990-12-10');
  });
});
