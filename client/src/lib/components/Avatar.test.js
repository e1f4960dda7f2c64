// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { mount, unmount, flushSync } from 'svelte';
import Avatar from './Avatar.svelte';

let component;
afterEach(() => {
  if (component) unmount(component);
  document.body.innerHTML = '';
});

function render(props) {
  component = mount(Avatar, { target: document.body, props });
  flushSync();
  return document.body;
}

describe('Avatar', () => {
  it('shows initials when there is no picture', () => {
    const body = render({ user: { id: 3, first_name: 'ada', last_name: 'Lovelace', avatar_url: null } });
    expect(body.querySelector('img')).toBeNull();
    expect(body.textContent.trim()).toBe('AL');
  });

  it('shows the picture from avatar_url', () => {
    const body = render({ user: { id: 3, first_name: 'Ada', last_name: 'L', avatar_url: '/media/12' } });
    expect(body.querySelector('img').getAttribute('src')).toBe('/media/12');
  });
});
