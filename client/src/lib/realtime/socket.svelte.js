// One WebSocket per tab to /ws while someone is logged in (the layout starts and stops it).
// It reconnects with exponential backoff and jitter, keeps the connection alive with pings,
// and emits RECONNECTED after every reconnect so state modules can catch up over HTTP.
import { CLOSE, parseServerFrame, pingFrame, RECONNECTED, SESSION_ENDED } from './protocol.js';

/** First retry delay; doubles with every failed attempt up to MAX_DELAY_MS. */
export const INITIAL_DELAY_MS = 500;
export const MAX_DELAY_MS = 30_000;
/** A connection open this long counts as stable: the next drop starts again at INITIAL_DELAY_MS. */
export const STABLE_AFTER_MS = 10_000;
/** Below the idle timeouts of common proxies (nginx: 60 s). */
export const PING_INTERVAL_MS = 25_000;
/** When the browser says the network went away, a ping unanswered this long means the link is dead. */
export const PROBE_TIMEOUT_MS = 5_000;

/**
 * The wait before reconnect attempt number `attempt` (0 for the first): the doubling delay,
 * spread by ±25 % so that a server restart is not met by every tab at the same instant.
 */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** attempt);
  return Math.min(MAX_DELAY_MS, Math.round(base * (0.75 + 0.5 * random())));
}

export function socketUrl(location = globalThis.location) {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

export class RealtimeSocket {
  /** True while the socket is open. */
  connected = $state(false);
  /**
   * 'idle' (not started), 'connecting' (the first attempt since start), 'open', or
   * 'reconnecting' (the connection dropped, or the first attempt failed: retrying).
   */
  status = $state('idle');

  #open; // (url) => WebSocket
  #url;
  #random;
  #listeners = new Map(); // type -> Set of functions
  #ws = null;
  #wsOpened = false; // whether #ws ever opened (one that closes unopened was refused)
  #running = false;
  #everOpened = false; // since start(): the next open is a reconnect
  #attempt = 0;
  #retryTimer = null;
  #stableTimer = null;
  #pingTimer = null;
  #probeTimer = null;
  #awaitingPong = false;

  /**
   * @param {{url?: () => string, open?: (url: string) => WebSocket, random?: () => number}} [options]
   *   for tests: where to connect, how to make the socket, the jitter's randomness
   */
  constructor({ url = socketUrl, open = (where) => new WebSocket(where), random = Math.random } = {}) {
    this.#url = url;
    this.#open = open;
    this.#random = random;
  }

  /** Connect, and keep reconnecting until stop(). Calling it again while running does nothing. */
  start() {
    if (this.#running) return;
    this.#running = true;
    this.#everOpened = false;
    this.#attempt = 0;
    this.status = 'connecting';
    globalThis.addEventListener?.('online', this.#onWindowOnline);
    globalThis.addEventListener?.('offline', this.#onWindowOffline);
    this.#connect();
  }

  /** Close the socket and stop reconnecting (logout). */
  stop() {
    if (!this.#running) return;
    this.#running = false;
    globalThis.removeEventListener?.('online', this.#onWindowOnline);
    globalThis.removeEventListener?.('offline', this.#onWindowOffline);
    this.#clearTimers();
    const ws = this.#ws;
    this.#ws = null;
    this.connected = false;
    this.status = 'idle';
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      ws.close(1000);
    }
  }

  /**
   * Call `fn(frame)` for every server frame of `type` (or RECONNECTED). Returns the unsubscribe.
   * @param {string} type
   * @param {(frame: any) => void} fn
   */
  subscribe(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type)?.delete(fn);
  }

  /** Send a frame; false when the socket is not open (the caller falls back to HTTP). */
  send(frame) {
    if (!this.#ws || !this.connected) return false;
    this.#ws.send(JSON.stringify(frame));
    return true;
  }

  #connect() {
    this.#retryTimer = null;
    let ws;
    try {
      ws = this.#open(this.#url());
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#ws = ws;
    this.#wsOpened = false;
    ws.onopen = () => this.#onOpen();
    ws.onmessage = (event) => this.#onMessage(event);
    ws.onclose = (event) => this.#onClose(ws, event);
    ws.onerror = () => {}; // a close always follows; it decides what to do
  }

  #onOpen() {
    const reconnect = this.#everOpened;
    this.#everOpened = true;
    this.#wsOpened = true;
    this.connected = true;
    this.status = 'open';
    this.#awaitingPong = false;
    this.#stableTimer = setTimeout(() => (this.#attempt = 0), STABLE_AFTER_MS);
    this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
    if (reconnect) this.#emit({ type: RECONNECTED });
  }

  #onMessage(event) {
    this.#awaitingPong = false; // any frame proves the connection alive
    const frame = parseServerFrame(event.data);
    if (frame) this.#emit(frame);
  }

  #onClose(ws, event) {
    if (ws !== this.#ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    this.#ws = null;
    this.connected = false;
    this.#clearTimers();
    if (!this.#running) return;
    this.status = 'reconnecting';
    this.#scheduleRetry();
    // Keep retrying: if the session is really gone the app hears it over HTTP and stops us.
    // Ask when the server says so (4001), and also when an attempt is refused before it opens:
    // the server refuses the upgrade of an ended session (401), which a browser reports only
    // as a failed connection. The second covers a 4001 whose check came too early (another
    // server process had not yet heard that the session ended) and a session that ended
    // while this tab was offline; a server that is down just fails the check.
    if (event?.code === CLOSE.SESSION_ENDED || !this.#wsOpened) this.#emit({ type: SESSION_ENDED });
  }

  #ping() {
    if (this.#awaitingPong) {
      this.#drop(); // no answer since the last ping
      return;
    }
    this.#awaitingPong = this.send(pingFrame());
  }

  /** The connection is dead without having said so: close it and reconnect. */
  #drop() {
    const ws = this.#ws;
    ws?.close(4000);
    this.#onClose(ws);
  }

  #scheduleRetry() {
    const delay = backoffDelay(this.#attempt, this.#random);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Retry now rather than at the end of the backoff (the network is back; "Try now"). */
  retryNow() {
    if (!this.#running || !this.#retryTimer) return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  #onWindowOnline = () => this.retryNow();

  /**
   * The browser lost its network: an open socket may be dead without knowing it (no FIN came
   * through). Ask it for a pong; without an answer soon, drop it and reconnect.
   */
  #onWindowOffline = () => {
    if (!this.connected || this.#probeTimer) return;
    this.#awaitingPong = this.send(pingFrame());
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = null;
      if (this.#awaitingPong) this.#drop();
    }, PROBE_TIMEOUT_MS);
  };

  #emit(frame) {
    for (const fn of [...(this.#listeners.get(frame.type) ?? [])]) {
      try {
        fn(frame);
      } catch (err) {
        console.error(`realtime listener for ${frame.type} failed`, err);
      }
    }
  }

  #clearTimers() {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#stableTimer);
    clearInterval(this.#pingTimer);
    clearTimeout(this.#probeTimer);
    this.#retryTimer = this.#stableTimer = this.#pingTimer = this.#probeTimer = null;
  }
}

/** The tab's socket. */
export const realtime = new RealtimeSocket();

export const subscribe = (type, fn) => realtime.subscribe(type, fn);
