// Where a long address may break across lines: before each "@" and ".", as style guides
// break email addresses and URLs, so that no line ends in the middle of a word.

/**
 * The pieces of `text` with a break allowed between each (a `<wbr>` goes there).
 * "ada.lovelace@example.com" → ["ada", ".lovelace", "@example", ".com"]
 * @param {string} text
 */
export function breakPoints(text) {
  return (text ?? '').split(/(?=[@.])/).filter(Boolean);
}
