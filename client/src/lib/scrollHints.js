// A row that scrolls sideways on a narrow screen (tabs, the settings links) shows that it
// does: its edge fades where more is hidden (app.css, [data-more-before] / [data-more-after]),
// and the selected item (aria-selected or aria-current) is scrolled into the row's view.
//
//   <div class="tablist" role="tablist" use:scrollHints>

/** How far a row may be off its end and still count as at the end (sub-pixel widths). */
const SLACK = 2;

/** @param {HTMLElement} node */
export function scrollHints(node) {
  const update = () => {
    const hidden = node.scrollWidth - node.clientWidth;
    node.toggleAttribute('data-more-before', node.scrollLeft > SLACK);
    node.toggleAttribute('data-more-after', node.scrollLeft < hidden - SLACK);
  };

  const reveal = () => {
    const chosen = node.querySelector('[aria-selected="true"], [aria-current="page"]');
    if (!chosen) return;
    const start = chosen.getBoundingClientRect().left - node.getBoundingClientRect().left + node.scrollLeft;
    const end = start + chosen.getBoundingClientRect().width;
    if (start < node.scrollLeft) node.scrollLeft = start;
    else if (end > node.scrollLeft + node.clientWidth) node.scrollLeft = end - node.clientWidth;
    update();
  };

  reveal();
  update();
  node.addEventListener('scroll', update, { passive: true });
  const resized = globalThis.ResizeObserver ? new ResizeObserver(update) : null;
  resized?.observe(node);
  const chosen = globalThis.MutationObserver ? new MutationObserver(reveal) : null;
  chosen?.observe(node, { subtree: true, attributeFilter: ['aria-selected', 'aria-current'] });

  return {
    destroy() {
      node.removeEventListener('scroll', update);
      resized?.disconnect();
      chosen?.disconnect();
    }
  };
}
