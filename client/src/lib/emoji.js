// Emoji in text: inserting at a textarea's caret, and counting as the server does.

/**
 * `text` with `insert` put in place of the selection [start, end), and where the caret goes
 * after it. A missing selection (the field never had focus) inserts at the end.
 * @param {string} text
 * @param {string} insert
 * @param {number | null | undefined} start
 * @param {number | null | undefined} end
 */
export function insertAtCaret(text, insert, start, end = start) {
  const from = Number.isInteger(start) ? Math.min(Math.max(start, 0), text.length) : text.length;
  const to = Number.isInteger(end) ? Math.min(Math.max(end, from), text.length) : from;
  return { text: text.slice(0, from) + insert + text.slice(to), caret: from + insert.length };
}

/** The length API.md counts: Unicode code points (an emoji like 😀 is one, 🧗‍♀️ is four). */
export const codePointLength = (text) => [...text].length;
