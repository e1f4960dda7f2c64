// For tests of state modules that ride on the tab's socket (never imported by the app): a
// stand-in for RealtimeSocket whose frames the test emits and whose sends it reads.

export class FakeSocket {
  connected = $state(false);
  /** As RealtimeSocket's: 'idle' | 'connecting' | 'open' | 'reconnecting'. */
  status = $state('idle');
  retryNow = () => {};
  /** The frames sent, oldest first. */
  sent = [];
  #listeners = new Map();

  subscribe(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type)?.delete(fn);
  }

  send(frame) {
    if (!this.connected) return false;
    this.sent.push(frame);
    return true;
  }

  /** A frame from the server (or RECONNECTED). */
  emit(frame) {
    for (const fn of [...(this.#listeners.get(frame.type) ?? [])]) fn(frame);
  }
}
