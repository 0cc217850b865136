/**
 * Leetspeak as the keyword reduction (skeleton.ts) reads it. Its own module, so that
 * scripts/confusables.mts, which generates the look-alike tables skeleton.ts loads, reads a
 * look-alike's digit prototype the same way without loading skeleton.ts.
 */

/** Digits read as letters everywhere. */
export const LEET_DIGITS: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g' };
/** Symbols that stand for letters only inside a word. */
export const LEET_SYMBOLS: Readonly<Record<string, string>> = { '!': 'i', '|': 'i', '@': 'a', $: 's', '+': 't' };
