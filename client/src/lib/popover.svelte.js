// A button that opens a panel beside it (the bell's notifications, the account menu): the
// focus goes into the panel when it opens; Escape closes it back to the button; a press or
// the focus anywhere else closes it.
//
//   const popover = new Popover();
//   <svelte:document onkeydown={popover.onkeydown} onpointerdown={popover.away} onfocusin={popover.away} />
//   <div bind:this={popover.root}>
//     <button bind:this={popover.button} aria-expanded={popover.open} onclick={popover.toggle}>
//     {#if popover.open}<div bind:this={popover.panel}>…</div>{/if}
import { tick } from 'svelte';

export class Popover {
  open = $state(false);
  /** The element holding the button and the panel. */
  root = null;
  button = null;
  panel = $state(null);

  /** @param {(panel: HTMLElement) => HTMLElement | null | undefined} [focusTarget] what gets
   *  the focus when it opens: the panel itself by default */
  constructor(focusTarget = (panel) => panel) {
    this.focusTarget = focusTarget;
  }

  toggle = async () => {
    this.open = !this.open;
    if (this.open) {
      await tick();
      if (this.panel) this.focusTarget(this.panel)?.focus();
    }
  };

  close = ({ restoreFocus = false } = {}) => {
    this.open = false;
    if (restoreFocus) this.button?.focus();
  };

  onkeydown = (event) => {
    if (this.open && event.key === 'Escape') {
      event.preventDefault();
      this.close({ restoreFocus: true });
    }
  };

  away = (event) => {
    if (this.open && !this.root?.contains(event.target)) this.close();
  };
}
