// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { FakeSocket } from '$lib/testing/fakeSocket.svelte.js';
import ConnectionBanner from './ConnectionBanner.svelte';

let socket;
let component;
const banner = () => document.querySelector('[role="status"]');
const said = () => banner().textContent.trim().replace(/\s+/g, ' ');

function setStatus(status) {
  socket.status = status;
  socket.connected = status === 'open';
  flushSync();
}

beforeEach(() => {
  vi.useFakeTimers();
  socket = new FakeSocket();
  socket.retryNow = vi.fn();
  setStatus('open');
  component = mount(ConnectionBanner, { target: document.body, props: { socket } });
  flushSync();
});
afterEach(() => {
  unmount(component);
  document.body.innerHTML = '';
  vi.useRealTimers();
});

describe('ConnectionBanner', () => {
  it('says nothing while connected, nor for a drop shorter than a second', () => {
    expect(said()).toBe('');
    setStatus('reconnecting');
    vi.advanceTimersByTime(900);
    flushSync();
    expect(said()).toBe('');
    setStatus('open');
    vi.advanceTimersByTime(5000);
    flushSync();
    expect(said()).toBe('');
  });

  it('says "Reconnecting…" after a second down, offers to try now, then "Back online" for a while', () => {
    setStatus('reconnecting');
    vi.advanceTimersByTime(1000);
    flushSync();
    expect(said()).toContain('Reconnecting…');
    expect(banner().dataset.connection).toBe('reconnecting');
    document.querySelector('button').click();
    expect(socket.retryNow).toHaveBeenCalledOnce();

    setStatus('open');
    expect(said()).toBe('Back online');
    vi.advanceTimersByTime(3000);
    flushSync();
    expect(said()).toBe('');
  });

  it('says the browser is offline at once, whatever the socket', () => {
    window.dispatchEvent(new Event('offline'));
    flushSync();
    expect(said()).toContain("You're offline.");
    window.dispatchEvent(new Event('online'));
    flushSync();
    expect(said()).toBe('Back online');
  });
});
