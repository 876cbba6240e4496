/** Text as the contract measures it: characters are code points, and lone surrogates are no text. */

/**
 * The number of code points of `value`, or -1 when it holds a lone surrogate (which UTF-8
 * cannot encode and Python's contract refuses as "not a valid string").
 */
export function codePoints(value: string): number {
  let count = 0;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      index += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return -1;
    }
    count += 1;
  }
  return count;
}

/** "1 character", "5 characters": the way the contract's messages count. */
export function characters(count: number): string {
  return `${count} character${count === 1 ? "" : "s"}`;
}
