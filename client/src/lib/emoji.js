// The emoji picker's curated set, grouped, and inserting text at a textarea's caret.

/**
 * About a hundred common emoji in six groups of whole rows of 8 (the picker's arrow keys move
 * by rows); every entry has a name for screen readers.
 */
export const EMOJI_GROUPS = [
  {
    name: 'Smileys',
    items: [
      ['😀', 'grinning face'],
      ['😃', 'smiling face with big eyes'],
      ['😄', 'smiling face with smiling eyes'],
      ['😁', 'beaming face'],
      ['😆', 'laughing face'],
      ['😅', 'grinning face with sweat'],
      ['😂', 'face with tears of joy'],
      ['🤣', 'rolling on the floor laughing'],
      ['🙂', 'slightly smiling face'],
      ['😉', 'winking face'],
      ['😊', 'smiling face'],
      ['😇', 'smiling face with halo'],
      ['🥰', 'smiling face with hearts'],
      ['😍', 'smiling face with heart-eyes'],
      ['😘', 'face blowing a kiss'],
      ['😋', 'face savoring food'],
      ['😜', 'winking face with tongue'],
      ['🤪', 'zany face'],
      ['🤗', 'hugging face'],
      ['🤔', 'thinking face'],
      ['🤨', 'face with raised eyebrow'],
      ['😐', 'neutral face'],
      ['🙄', 'face with rolling eyes'],
      ['😏', 'smirking face'],
      ['😴', 'sleeping face'],
      ['😎', 'smiling face with sunglasses'],
      ['🥳', 'partying face'],
      ['😢', 'crying face'],
      ['😭', 'loudly crying face'],
      ['😱', 'face screaming in fear'],
      ['😡', 'angry face'],
      ['🥺', 'pleading face']
    ]
  },
  {
    name: 'People',
    items: [
      ['👍', 'thumbs up'],
      ['👎', 'thumbs down'],
      ['👏', 'clapping hands'],
      ['🙌', 'raising hands'],
      ['🙏', 'folded hands'],
      ['👋', 'waving hand'],
      ['🤝', 'handshake'],
      ['✌️', 'victory hand'],
      ['🤞', 'crossed fingers'],
      ['👌', 'OK hand'],
      ['💪', 'flexed biceps'],
      ['🤷', 'person shrugging'],
      ['🙋', 'person raising hand'],
      ['🧗‍♀️', 'woman climbing'],
      ['🏃', 'person running'],
      ['💃', 'woman dancing']
    ]
  },
  {
    name: 'Hearts',
    items: [
      ['❤️', 'red heart'],
      ['🧡', 'orange heart'],
      ['💛', 'yellow heart'],
      ['💚', 'green heart'],
      ['💙', 'blue heart'],
      ['💜', 'purple heart'],
      ['🖤', 'black heart'],
      ['💔', 'broken heart'],
      ['🤍', 'white heart'],
      ['🤎', 'brown heart'],
      ['💕', 'two hearts'],
      ['💖', 'sparkling heart'],
      ['💗', 'growing heart'],
      ['💘', 'heart with arrow'],
      ['💝', 'heart with ribbon'],
      ['✨', 'sparkles']
    ]
  },
  {
    name: 'Nature',
    items: [
      ['🐶', 'dog face'],
      ['🐱', 'cat face'],
      ['🦊', 'fox'],
      ['🐻', 'bear'],
      ['🐼', 'panda'],
      ['🐸', 'frog'],
      ['🦄', 'unicorn'],
      ['🐝', 'honeybee'],
      ['🌸', 'cherry blossom'],
      ['🌻', 'sunflower'],
      ['🌲', 'evergreen tree'],
      ['🌈', 'rainbow'],
      ['☀️', 'sun'],
      ['⛄', 'snowman'],
      ['🔥', 'fire'],
      ['🌊', 'water wave']
    ]
  },
  {
    name: 'Food and activities',
    items: [
      ['🍕', 'pizza'],
      ['🍔', 'hamburger'],
      ['🍟', 'french fries'],
      ['🌮', 'taco'],
      ['🍣', 'sushi'],
      ['🍰', 'shortcake'],
      ['🎂', 'birthday cake'],
      ['🍩', 'doughnut'],
      ['🍎', 'red apple'],
      ['☕', 'hot beverage'],
      ['🍺', 'beer mug'],
      ['🍷', 'wine glass'],
      ['⚽', 'soccer ball'],
      ['🏀', 'basketball'],
      ['🎮', 'video game'],
      ['🎸', 'guitar']
    ]
  },
  {
    name: 'Objects and symbols',
    items: [
      ['🎉', 'party popper'],
      ['🎁', 'wrapped gift'],
      ['🎈', 'balloon'],
      ['📷', 'camera'],
      ['💡', 'light bulb'],
      ['📚', 'books'],
      ['✈️', 'airplane'],
      ['🚀', 'rocket'],
      ['🏠', 'house'],
      ['⏰', 'alarm clock'],
      ['✅', 'check mark'],
      ['❌', 'cross mark'],
      ['❓', 'question mark'],
      ['❗', 'exclamation mark'],
      ['💯', 'hundred points'],
      ['👀', 'eyes']
    ]
  }
].map(({ name, items }) => ({ name, items: items.map(([char, label]) => ({ char, label })) }));

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
