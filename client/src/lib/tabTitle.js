// "(3) Home · socialnet": the unread count in front of the tab's title, whatever title the
// page sets (a page's <svelte:head> replaces it on every navigation; the count comes back).

const COUNT = /^\(\d+\+?\) /;

/** `title` with `count` in front (none for 0), replacing a count already there. */
export function titleWithCount(title, count) {
  const base = title.replace(COUNT, '');
  if (count <= 0) return base;
  return `(${count > 99 ? '99+' : count}) ${base}`;
}

/**
 * Keep a count in front of `doc`'s title until `stop()`, which takes it away.
 * @returns {{set: (count: number) => void, stop: () => void}}
 */
export function countInTitle(doc = document) {
  let count = 0;
  const apply = () => {
    const wanted = titleWithCount(doc.title, count);
    if (doc.title !== wanted) doc.title = wanted;
  };
  const observer = new MutationObserver(apply);
  observer.observe(doc.head, { subtree: true, childList: true, characterData: true });
  return {
    set(next) {
      count = next;
      apply();
    },
    stop() {
      observer.disconnect();
      count = 0;
      apply();
    }
  };
}
