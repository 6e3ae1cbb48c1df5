import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// The design's fonts, served from their npm packages (no CDN): JetBrains Mono from @fontsource
// (Latin, Cyrillic, Greek) and Pretendard's dynamic subset, whose woff2 files the browser loads only
// for the glyphs a page uses (Korean included), so no page shows tofu where no CJK font is installed.
const require = createRequire(import.meta.url);

interface FontPackage {
  dir: string;
  /** Stylesheets a page may link; each names its font files relative to itself. */
  css: ReadonlySet<string>;
  /** The one folder of font files next to the stylesheets. */
  files: string;
}

function packages(): Record<string, FontPackage> {
  const fontsource = path.dirname(require.resolve('@fontsource/jetbrains-mono/LICENSE'));
  const pretendard = path.dirname(require.resolve('pretendard/package.json'));
  return {
    'jetbrains-mono': {
      dir: fontsource,
      css: new Set(['400.css', '600.css', '700.css']),
      files: 'files',
    },
    pretendard: {
      dir: path.join(pretendard, 'dist/web/variable'),
      css: new Set(['pretendardvariable-dynamic-subset.css']),
      files: 'woff2-dynamic-subset',
    },
  };
}

export interface FontAsset {
  body: Uint8Array;
  type: string;
  etag: string;
}

/**
 * Serves `/fonts/<package>/<file>.css` and `/fonts/<package>/<folder>/<file>.woff2`. Request paths are
 * matched against fixed names and one folder per package, never joined into arbitrary file paths.
 */
export function createFontAssets(): (pkg: string, file: string, folder?: string) => FontAsset | null {
  let known: Record<string, FontPackage> | null = null;
  const cache = new Map<string, FontAsset | null>();
  return (pkg, file, folder) => {
    const key = `${pkg}/${folder ?? ''}/${file}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    known ??= packages();
    const p = Object.hasOwn(known, pkg) ? known[pkg] : undefined;
    let found: string | null = null;
    if (p && folder === undefined && p.css.has(file)) found = path.join(p.dir, file);
    if (p && folder === p.files && /^[\w.-]+\.woff2$/.test(file) && !file.startsWith('.'))
      found = path.join(p.dir, p.files, file);
    let asset: FontAsset | null = null;
    if (found) {
      try {
        const body = readFileSync(found);
        asset = {
          body,
          type: file.endsWith('.css') ? 'text/css; charset=utf-8' : 'font/woff2',
          etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`,
        };
      } catch {
        asset = null;
      }
    }
    // Unknown names are not cached: a flood of random paths must not grow the map.
    if (asset) cache.set(key, asset);
    return asset;
  };
}
