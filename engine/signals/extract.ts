import { isStopWord, stripJosa } from './stop-words.ts';

export interface Extracted {
  /** Topic keywords, most weighty first (lower-case; Korean as written, particles removed). */
  keywords: string[];
  /** Named things: `name:OpenAI`, `ticker:BTC`, `repo:ollama/ollama`. */
  entities: string[];
}

const MAX_KEYWORDS = 8;
const MAX_ENTITIES = 10;
const HANGUL = /[\uac00-\ud7a3]/;
// Words: Latin letters/digits with inner - . + # (c++, node.js, gpt-4o), or runs of Hangul.
const WORD = /[A-Za-z][A-Za-z0-9]*(?:[-.+#][A-Za-z0-9+#]+)*|[\uac00-\ud7a3]+/g;
const TICKER = /(?:^|[\s(])\$([A-Z]{2,6})\b/g;
const OWNER_REPO = /\b(?:github\.com\/)?([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})\b/g;
const PROPER = /\b([A-Z][a-zA-Z0-9]+(?:[ -][A-Z][a-zA-Z0-9]+)*|[A-Z]{2,}[a-z]*[A-Z0-9]*)\b/g;

/**
 * Keywords and entities of one signal. The title counts twice: it is what the item is about.
 * Pure and deterministic, so trends computed from the same signals are always the same.
 */
export function extractTopics(input: { title: string; summary: string; url: string | null }): Extracted {
  const weights = new Map<string, number>();
  const add = (text: string, weight: number) => {
    for (const m of text.matchAll(WORD)) {
      let w = m[0];
      if (HANGUL.test(w)) w = stripJosa(w);
      else w = w.toLowerCase().replace(/[.]+$/, '');
      if (w.length < (HANGUL.test(w) ? 2 : 3) || isStopWord(w) || /^\d+$/.test(w)) continue;
      weights.set(w, (weights.get(w) ?? 0) + weight);
    }
  };
  add(input.title, 2);
  add(input.summary.slice(0, 2000), 1);
  const keywords = [...weights.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_KEYWORDS)
    .map(([w]) => w);
  return { keywords, entities: extractEntities(input) };
}

function extractEntities(input: { title: string; summary: string; url: string | null }): string[] {
  const out: string[] = [];
  const push = (e: string) => {
    if (!out.includes(e)) out.push(e);
  };
  const text = `${input.title}\n${input.summary.slice(0, 2000)}`;
  for (const m of text.matchAll(TICKER)) push(`ticker:${m[1]}`);
  const repoSources = [input.url?.includes('github.com/') ? input.url : '', text];
  for (const src of repoSources) {
    for (const m of src.matchAll(OWNER_REPO)) {
      const [whole, owner, repo] = m;
      // Only GitHub links, or a bare owner/repo that looks like one (not a date or a fraction).
      if (
        !whole.startsWith('github.com/') &&
        (/^\d+$/.test(owner!) || /^\d/.test(repo!) || !/[a-z]/i.test(owner!))
      )
        continue;
      if (!whole.startsWith('github.com/') && !/github/i.test(src)) continue;
      push(`repo:${owner}/${repo!.replace(/\.git$/, '').replace(/[.]+$/, '')}`);
    }
  }
  // Proper names: capitalised words anywhere but the first word of the title (sentence case).
  const firstWord = input.title.trim().split(/\s+/)[0] ?? '';
  for (const m of text.matchAll(PROPER)) {
    const name = m[1]!;
    if (name === firstWord && !/[A-Z].*[A-Z]/.test(name)) continue;
    if (isStopWord(name) || name.length < 2) continue;
    push(`name:${name}`);
  }
  return out.slice(0, MAX_ENTITIES);
}
