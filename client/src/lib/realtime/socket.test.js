import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  INITIAL_DELAY_MS,
  MAX_DELAY_MS,
  PING_INTERVAL_MS,
  PROBE_TIMEOUT_MS,
  RealtimeSocket,
  socketUrl,
  STABLE_AFTER_MS
} from './socket.svelte.js';
import { RECONNECTED } from './protocol.js';

/** A WebSocket the test drives by hand. */
class FakeWebSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closedWith = null;
    FakeWebSocket.all.push(this);
  }
  send(text) {
    this.sent.push(JSON.parse(text));
  }
  close(code) {
    this.closedWith = code;
  }
  // What the server and network do:
  open() {
    this.onopen?.({});
  }
  receive(frame) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }
}

const sockets = () => FakeWebSocket.all;
const last = () => FakeWebSocket.all.at(-1);

function makeSocket() {
  return new RealtimeSocket({
    url: () => 'ws://example.test/ws',
    open: (url) => new FakeWebSocket(url),
    random: () => 0.5 // no jitter: the delays are exactly the doubling ones
  });
}

let socket;
beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.all = [];
  socket = makeSocket();
});
afterEach(() => {
  socket.stop();
  vi.useRealTimers();
});

/** Let the pending retry fire: no new socket just before `ms`, one at `ms`. */
function expectRetryAfter(ms) {
  const count = sockets().length;
  vi.advanceTimersByTime(ms - 1);
  expect(sockets().length, `no retry before ${ms} ms`).toBe(count);
  vi.advanceTimersByTime(1);
  expect(sockets().length, `a retry at ${ms} ms`).toBe(count + 1);
}

describe('backoffDelay', () => {
  it('doubles from 0.5 s up to 30 s', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, () => 0.5));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(INITIAL_DELAY_MS).toBe(500);
    expect(MAX_DELAY_MS).toBe(30_000);
  });

  it('spreads each delay by a quarter either way, never past the maximum', () => {
    expect(backoffDelay(0, () => 0)).toBe(375);
    expect(backoffDelay(0, () => 0.999999)).toBe(625);
    expect(backoffDelay(3, () => 0)).toBe(3000);
    expect(backoffDelay(10, () => 0.999999)).toBe(MAX_DELAY_MS);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(2)));
    expect(spread.size).toBeGreaterThan(1);
    for (const delay of spread) expect(delay).toBeGreaterThanOrEqual(1500);
  });
});

describe('socketUrl', () => {
  it('follows the page: ws on http, wss on https', () => {
    expect(socketUrl({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/ws');
    expect(socketUrl({ protocol: 'https:', host: 'social.example' })).toBe('wss://social.example/ws');
  });
});

describe('RealtimeSocket', () => {
  it('connects on start, once, and reports connected', () => {
    socket.start();
    socket.start();
    expect(sockets()).toHaveLength(1);
    expect(last().url).toBe('ws://example.test/ws');
    expect(socket.connected).toBe(false);
    last().open();
    expect(socket.connected).toBe(true);
    last().drop();
    expect(socket.connected).toBe(false);
  });

  it('retries with doubling delays while the server stays away', () => {
    socket.start();
    last().drop();
    expectRetryAfter(500);
    last().drop();
    expectRetryAfter(1000);
    last().drop();
    expectRetryAfter(2000);
    last().drop();
    expectRetryAfter(4000);
    for (let i = 0; i < 10; i++) {
      last().drop();
      vi.advanceTimersByTime(MAX_DELAY_MS);
    }
    last().drop();
    expectRetryAfter(MAX_DELAY_MS);
  });

  it('keeps backing off when connections drop right after opening', () => {
    socket.start();
    last().open();
    last().drop();
    expectRetryAfter(500);
    last().open();
    vi.advanceTimersByTime(STABLE_AFTER_MS - 1);
    last().drop();
    expectRetryAfter(1000);
  });

  it('starts again from 0.5 s after a stable connection', () => {
    socket.start();
    last().drop();
    expectRetryAfter(500);
    last().drop();
    expectRetryAfter(1000);
    last().open();
    vi.advanceTimersByTime(STABLE_AFTER_MS);
    last().drop();
    expectRetryAfter(500);
  });

  it('emits reconnected after every reconnect, never on the first connect', () => {
    const reconnected = vi.fn();
    socket.subscribe(RECONNECTED, reconnected);
    socket.start();
    last().open();
    expect(reconnected).not.toHaveBeenCalled();
    last().drop();
    vi.advanceTimersByTime(500);
    last().open();
    expect(reconnected).toHaveBeenCalledTimes(1);
    last().drop();
    vi.advanceTimersByTime(500);
    last().drop(); // a failed attempt: nothing to catch up yet
    vi.advanceTimersByTime(1000);
    expect(reconnected).toHaveBeenCalledTimes(1);
    last().open();
    expect(reconnected).toHaveBeenCalledTimes(2);
  });

  it('pings every 25 s while open', () => {
    socket.start();
    last().open();
    vi.advanceTimersByTime(PING_INTERVAL_MS - 1);
    expect(last().sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(last().sent).toEqual([{ type: 'ping' }]);
    last().receive({ type: 'pong' });
    vi.advanceTimersByTime(PING_INTERVAL_MS);
    expect(last().sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
  });

  it('treats a ping left unanswered as a dead connection and reconnects', () => {
    const reconnected = vi.fn();
    socket.subscribe(RECONNECTED, reconnected);
    socket.start();
    const first = last();
    first.open();
    vi.advanceTimersByTime(2 * PING_INTERVAL_MS);
    expect(first.closedWith).not.toBeNull();
    expect(socket.connected).toBe(false);
    expectRetryAfter(500);
    last().open();
    expect(reconnected).toHaveBeenCalledOnce();
  });

  it('delivers parsed frames to subscribers of their type, and ignores junk', () => {
    const onNotification = vi.fn();
    const onPresence = vi.fn();
    const stop = socket.subscribe('notification', onNotification);
    socket.subscribe('presence', onPresence);
    socket.start();
    last().open();
    const frame = { type: 'notification', notification: { id: 1, kind: 'new_follower' }, unread_count: 2 };
    last().receive(frame);
    last().receive('not json');
    last().receive({ type: 'notification' });
    last().receive({ type: 'presence', user_id: 3, online: false });
    expect(onNotification).toHaveBeenCalledExactlyOnceWith(frame);
    expect(onPresence).toHaveBeenCalledOnce();
    stop();
    last().receive(frame);
    expect(onNotification).toHaveBeenCalledOnce();
  });

  it('keeps delivering when one listener throws', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = vi.fn();
    socket.subscribe('pong', () => {
      throw new Error('boom');
    });
    socket.subscribe('pong', good);
    socket.start();
    last().open();
    last().receive({ type: 'pong' });
    expect(good).toHaveBeenCalledOnce();
  });

  it('sends only while open', () => {
    socket.start();
    expect(socket.send({ type: 'ping' })).toBe(false);
    last().open();
    expect(socket.send({ type: 'ping' })).toBe(true);
    expect(last().sent).toEqual([{ type: 'ping' }]);
  });

  it('stops: closes the socket and never reconnects; a new start is a first connect', () => {
    const reconnected = vi.fn();
    socket.subscribe(RECONNECTED, reconnected);
    socket.start();
    last().open();
    socket.stop();
    expect(last().closedWith).toBe(1000);
    expect(socket.connected).toBe(false);
    vi.advanceTimersByTime(10 * MAX_DELAY_MS);
    expect(sockets()).toHaveLength(1);

    socket.start();
    expect(sockets()).toHaveLength(2);
    last().open();
    expect(reconnected).not.toHaveBeenCalled();
  });

  it('stops while waiting to retry', () => {
    socket.start();
    last().drop();
    socket.stop();
    vi.advanceTimersByTime(MAX_DELAY_MS);
    expect(sockets()).toHaveLength(1);
  });

  it('retries at once when the browser comes back online', () => {
    const target = new EventTarget();
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    socket.start();
    for (let i = 0; i < 5; i++) {
      last().drop();
      vi.runOnlyPendingTimers();
    }
    last().drop();
    expect(sockets()).toHaveLength(6);
    target.dispatchEvent(new Event('online'));
    expect(sockets()).toHaveLength(7);
  });
});

describe('RealtimeSocket status, for the connection banner', () => {
  it('goes idle, connecting, open, reconnecting, open, idle', () => {
    expect(socket.status).toBe('idle');
    socket.start();
    expect(socket.status).toBe('connecting');
    last().open();
    expect(socket.status).toBe('open');
    last().drop();
    expect(socket.status).toBe('reconnecting');
    vi.advanceTimersByTime(500);
    expect(socket.status).toBe('reconnecting'); // an attempt under way is still reconnecting
    last().open();
    expect(socket.status).toBe('open');
    socket.stop();
    expect(socket.status).toBe('idle');
  });

  it('is reconnecting when the first attempt fails', () => {
    socket.start();
    last().drop();
    expect(socket.status).toBe('reconnecting');
  });

  it('tries at once on retryNow while waiting, and does nothing otherwise', () => {
    socket.start();
    last().open();
    socket.retryNow();
    expect(sockets()).toHaveLength(1);
    last().drop();
    for (let i = 0; i < 4; i++) {
      vi.runOnlyPendingTimers();
      last().drop();
    }
    expect(sockets()).toHaveLength(5);
    socket.retryNow();
    expect(sockets()).toHaveLength(6);
  });

  it('probes an open socket when the browser goes offline, and drops it without an answer', () => {
    const target = new EventTarget();
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    socket.start();
    last().open();
    // Answered: the link still works (the browser's offline mode leaves open sockets alone).
    target.dispatchEvent(new Event('offline'));
    expect(last().sent).toEqual([{ type: 'ping' }]);
    last().receive({ type: 'pong' });
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS);
    expect(socket.status).toBe('open');
    // Unanswered: dead without having said so.
    target.dispatchEvent(new Event('offline'));
    vi.advanceTimersByTime(PROBE_TIMEOUT_MS - 1);
    expect(socket.status).toBe('open');
    vi.advanceTimersByTime(1);
    expect(last().closedWith).toBe(4000);
    expect(socket.status).toBe('reconnecting');
  });
});

describe('RealtimeSocket and the end of a session', () => {
  it('tells the app when the server closes for an ended session, and keeps retrying', () => {
    const ended = vi.fn();
    socket.subscribe('session_ended', ended);
    socket.start();
    last().open();
    last().onclose({ code: 1006 });
    expect(ended).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    last().open();
    last().onclose({ code: 4001 });
    expect(ended).toHaveBeenCalledOnce();
    expectRetryAfter(1000);
  });

  it('asks too when an attempt is refused before it opens (an ended session’s upgrade)', () => {
    const ended = vi.fn();
    socket.subscribe('session_ended', ended);
    socket.start();
    last().open();
    // The server says the session ended, but the check comes too early to see it.
    last().onclose({ code: 4001 });
    expect(ended).toHaveBeenCalledTimes(1);
    // The next attempt is refused at the upgrade: ask again, and keep retrying.
    vi.advanceTimersByTime(500);
    last().onclose({ code: 1006 });
    expect(ended).toHaveBeenCalledTimes(2);
    expectRetryAfter(1000);
    // A connection that opened and dropped is only a network matter.
    last().open();
    last().drop();
    expect(ended).toHaveBeenCalledTimes(2);
  });
});
