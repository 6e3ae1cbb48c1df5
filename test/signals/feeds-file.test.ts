import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeedsFileError, loadFeedsFile, parseFeedsFile } from '../../engine/signals/feeds-file.ts';

describe('feeds file', () => {
  it('the bundled default set is valid and covers AI, crypto, developer tools and startups', async () => {
    const feeds = await loadFeedsFile();
    expect(feeds.length).toBeGreaterThanOrEqual(10);
    const categories = new Set(feeds.filter((f) => f.enabled).map((f) => f.category));
    for (const c of ['ai', 'crypto', 'dev_tools', 'startups']) expect(categories).toContain(c);
    expect(feeds.some((f) => f.source === 'github' && f.url.endsWith('.atom'))).toBe(true);
    expect(feeds.some((f) => f.url.includes('hnrss.org'))).toBe(true);
  });

  it('names the file and the field that is wrong', () => {
    const bad = (text: string) => {
      try {
        parseFeedsFile('my-feeds.yaml', text);
      } catch (e) {
        expect(e).toBeInstanceOf(FeedsFileError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(bad('feeds:\n  - name: A\n    url: ftp://x\n    source: rss\n    category: ai\n')).toBe(
      'my-feeds.yaml: feeds[0].url: expected an http(s) URL',
    );
    expect(
      bad('feeds:\n  - name: A\n    url: https://a.example/\n    source: tv\n    category: ai\n'),
    ).toMatch(/^my-feeds.yaml: feeds\[0\]\.source: expected one of rss, github/);
    expect(bad('feeds:\n  - url: https://a.example/\n    source: rss\n    category: ai\n')).toBe(
      'my-feeds.yaml: feeds[0].name: required field is missing',
    );
    expect(
      bad(
        'feeds:\n  - name: A\n    url: https://a.example/\n    source: rss\n    category: ai\n    colour: red\n',
      ),
    ).toBe('my-feeds.yaml: feeds[0].colour: unknown field');
    expect(bad('feeds: [unclosed')).toMatch(/^my-feeds.yaml: not valid YAML/);
    expect(bad('- just a list')).toBe('my-feeds.yaml: expected a mapping with a `feeds:` list');
    const dup =
      'feeds:\n  - {name: A, url: "https://a.example/", source: rss, category: ai}\n  - {name: B, url: "https://a.example/", source: rss, category: ai}\n';
    expect(bad(dup)).toBe('my-feeds.yaml: feeds[1].url: same URL as feeds[0]');
  });

  it('enabled defaults to true; a missing file is a clear error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'arena-feeds-'));
    const file = path.join(dir, 'feeds.yaml');
    await writeFile(file, 'feeds:\n  - {name: A, url: "https://a.example/", source: news, category: ai}\n');
    expect(await loadFeedsFile(file)).toEqual([
      { name: 'A', url: 'https://a.example/', source: 'news', category: 'ai', enabled: true },
    ]);
    await expect(loadFeedsFile(path.join(dir, 'nope.yaml'))).rejects.toThrow(/nope.yaml: file not found/);
  });
});
