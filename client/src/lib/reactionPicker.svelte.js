// The reaction picker's state, apart from its looks: open or shut, which of the six kinds has
// the focus, and what each key does. On the reaction button, Enter and Space (a click) like or
// withdraw, and ArrowUp, the menu key or Shift+F10 open the six; in the open picker the arrows,
// Home and End move, Enter and Space pick, Escape and ArrowDown close, Tab leaves.
import { KINDS } from '$lib/reactions.js';

/** How long the pointer rests on the button before the six open (as Facebook does). */
export const HOVER_OPEN_MS = 500;
/** How long the pointer may be away before they close. */
export const HOVER_CLOSE_MS = 350;
/** A touch held this long is a long press: the six open, and no click follows. */
export const LONG_PRESS_MS = 450;

export class ReactionPicker {
  open = $state(false);
  /** The index in KINDS of the kind that has (or would have) the focus. */
  index = $state(0);
  /** Opened from the keyboard or by touch: the focus moves into the picker. */
  focusInside = $state(false);

  /**
   * @param {string | null} current my reaction: the picker starts on it (else on Like)
   * @param {{focus?: boolean}} [options] move the focus into it (keyboard, touch)
   */
  show(current, { focus = false } = {}) {
    const at = KINDS.findIndex((k) => k.kind === current);
    this.index = at === -1 ? 0 : at;
    this.focusInside = focus;
    this.open = true;
  }

  hide() {
    this.open = false;
    this.focusInside = false;
  }

  /**
   * A key on the reaction button: true when it opened the picker (the caller prevents the
   * key's default and moves the focus in). Enter and Space are left to the button's click.
   * @param {{key: string, shiftKey?: boolean}} event
   * @param {string | null} current
   */
  triggerKey({ key, shiftKey = false }, current) {
    if (key === 'ArrowUp' || key === 'ContextMenu' || (key === 'F10' && shiftKey)) {
      this.show(current, { focus: true });
      return true;
    }
    return false;
  }

  /**
   * A key inside the open picker.
   * @param {{key: string}} event
   * @returns {{type: 'move'} | {type: 'pick', kind: string} | {type: 'close', refocus: boolean} | null}
   *   'move': the focus goes to `index`; 'close' with refocus: back to the button
   */
  menuKey({ key }) {
    const last = KINDS.length - 1;
    const moves = { ArrowRight: this.index + 1, ArrowLeft: this.index - 1, Home: 0, End: last };
    if (key in moves) {
      this.index = (moves[key] + KINDS.length) % KINDS.length;
      return { type: 'move' };
    }
    if (key === 'Enter' || key === ' ') {
      const { kind } = KINDS[this.index];
      this.hide();
      return { type: 'pick', kind };
    }
    if (key === 'Escape' || key === 'ArrowDown') {
      this.hide();
      return { type: 'close', refocus: true };
    }
    if (key === 'Tab') {
      this.hide();
      return { type: 'close', refocus: false };
    }
    return null;
  }
}

/**
 * What a pick means: the kind, or null (withdraw) when it is the one I already gave — as on
 * Facebook, choosing one's own reaction again takes it back.
 */
export const pickResult = (picked, current) => (picked === current ? null : picked);

/** What a click (or Enter, Space) on the button means: like when I have not reacted, else withdraw. */
export const clickResult = (current) => (current ? null : 'like');
