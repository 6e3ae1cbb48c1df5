import { describe, expect, it } from 'vitest';
import { previewText, splitText } from '../../bot/text/split-text.ts';

const joinedWords = (parts: string[]) => parts.join(' ').split(/\s+/).join(' ');

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('  Hello there.  ', 2000)).toEqual(['Hello there.']);
    expect(splitText('', 2000)).toEqual(['']);
  });

  it('cuts at a paragraph boundary first', () => {
    const a = 'A'.repeat(900);
    const b = 'B'.repeat(900);
    const c = 'C'.repeat(900);
    const parts = splitText(`${a}\n\n${b}\n\n${c}`, 2000);
    expect(parts).toEqual([`${a}\n\n${b}`, c]);
  });

  it('cuts at a sentence boundary when there is no paragraph break', () => {
    const sentence = 'This sentence has exactly some words in it. ';
    const text = sentence.repeat(100).trim();
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(2000);
      expect(p.endsWith('.')).toBe(true);
    }
    expect(joinedWords(parts)).toBe(text);
  });

  it('falls back to words, then to a hard cut, and never exceeds the limit', () => {
    const words = Array.from({ length: 800 }, (_, i) => `word${i}`).join(' ');
    const parts = splitText(words, 2000);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    expect(joinedWords(parts)).toBe(words);

    const blob = 'x'.repeat(4500);
    expect(splitText(blob, 2000).map((p) => p.length)).toEqual([2000, 2000, 500]);
  });

  it('does not cut a surrogate pair in half', () => {
    const text = `${'a'.repeat(1999)}😀${'b'.repeat(10)}`;
    const parts = splitText(text, 2000);
    expect(parts[0]).toBe('a'.repeat(1999));
    expect(parts.join('')).toBe(text);
  });

  it('handles Korean sentence endings and keeps every character', () => {
    const text = '이 아이디어는 좋습니다. '.repeat(300).trim();
    const parts = splitText(text, 500);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(500);
    expect(parts.join(' ')).toBe(text);
  });

  it('previews a growing text within one post, with the suffix', () => {
    expect(previewText('Hello', 2000, ' …')).toBe('Hello …');
    const long = 'Sentence number one. '.repeat(200);
    const p = previewText(long, 2000, ' …');
    expect(p.length).toBeLessThanOrEqual(2000);
    expect(p.endsWith('. …')).toBe(true);
  });
});
