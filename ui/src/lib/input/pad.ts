// What a keypad tap does to the text of the field it types into.

/** The field's text after one keypad key ("back", "clear" or a character); "enter" changes nothing. */
export function applyPadKey(text: string, key: string, maxLength = 32): string {
  if (key === 'back') return text.slice(0, -1);
  if (key === 'clear') return '';
  if (key === 'enter' || text.length >= maxLength) return text;
  return text + key;
}
