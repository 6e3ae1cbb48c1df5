import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { DashboardContext } from '../context.ts';
import type { DashboardApp } from '../http/app.ts';
import { HttpError, withSecurityHeaders } from '../http/respond.ts';
import { createFontAssets } from './fonts.ts';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Uint8Array;
  /** Gzipped once at start, for text assets. */
  gzip?: Uint8Array;
  type: string;
  etag: string;
}

/** The page and its assets from dashboard/public, and persona avatars. */
export function registerStaticRoutes(app: DashboardApp, ctx: DashboardContext, publicDir = PUBLIC_DIR): void {
  // Only files present at start are served: a request path is a key in this map, never a file path.
  const assets = new Map<string, Asset>();
  for (const file of listFiles(publicDir)) {
    const type = TYPES[path.extname(file)];
    if (!type) continue;
    const body = readFileSync(path.join(publicDir, file));
    const gzip = type.startsWith('image/png') ? undefined : gzipSync(body, { level: 9 });
    assets.set(`/${file.split(path.sep).join('/')}`, {
      body,
      type,
      etag: etagOf(body),
      ...(gzip ? { gzip } : {}),
    });
  }

  const serve = (request: Request, asset: Asset, cache = 'no-cache') => {
    const headers: Record<string, string> = {
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': cache,
      vary: 'accept-encoding',
    };
    if (request.headers.get('if-none-match') === asset.etag) {
      return new Response(null, { status: 304, headers: withSecurityHeaders(headers) });
    }
    const gzip = asset.gzip && /\bgzip\b/.test(request.headers.get('accept-encoding') ?? '');
    if (gzip) headers['content-encoding'] = 'gzip';
    const body = (gzip ? asset.gzip : asset.body) as Uint8Array<ArrayBuffer>;
    return new Response(body, { headers: withSecurityHeaders(headers) });
  };

  const page = (c: { req: { raw: Request } }) => {
    const index = assets.get('/index.html');
    if (!index) throw new HttpError(500, 'missing_page', 'dashboard/public/index.html is missing');
    return serve(c.req.raw, index);
  };
  app.get('/', page);
  app.get('/debates/:id', page);

  const avatars = new Map<string, Asset>();
  app.get('/avatars/:file{[^/]+\\.png}', (c) => {
    const persona = ctx.persona(c.req.param('file').slice(0, -'.png'.length));
    if (!persona) throw new HttpError(404, 'unknown_persona', 'No persona with this id');
    // A custom persona's own image wins over the generated one.
    if (persona.avatarUrl) {
      return new Response(null, {
        status: 302,
        headers: withSecurityHeaders({ location: persona.avatarUrl }),
      });
    }
    let asset = avatars.get(persona.id);
    if (!asset) {
      if (!ctx.props.renderAvatar) throw new HttpError(404, 'no_avatar', 'Avatars are not available');
      const body = ctx.props.renderAvatar(persona);
      asset = { body, type: 'image/png', etag: etagOf(body) };
      avatars.set(persona.id, asset);
    }
    // Chat platforms fetch avatars often; they change only with the catalog.
    return serve(c.req.raw, asset, 'public, max-age=86400');
  });

  const fonts = createFontAssets();
  const font = (request: Request, asset: ReturnType<typeof fonts>) => {
    if (!asset) throw new HttpError(404, 'not_found', 'No such font');
    // Font files change only with their package version.
    return serve(request, asset, 'public, max-age=604800');
  };
  app.get('/fonts/:pkg/:file', (c) => font(c.req.raw, fonts(c.req.param('pkg'), c.req.param('file'))));
  app.get('/fonts/:pkg/:folder/:file', (c) =>
    font(c.req.raw, fonts(c.req.param('pkg'), c.req.param('file'), c.req.param('folder'))),
  );

  app.get('/:file', (c) => {
    const file = c.req.param('file');
    const asset = assets.get(`/${file}`);
    if (!asset || file === 'index.html') throw new HttpError(404, 'not_found', 'No such file');
    return serve(c.req.raw, asset);
  });
  app.get('/js/:file', (c) => {
    const asset = assets.get(`/js/${c.req.param('file')}`);
    if (!asset) throw new HttpError(404, 'not_found', 'No such file');
    return serve(c.req.raw, asset);
  });
}

function listFiles(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(dir, prefix));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const rel = path.join(prefix, name);
    return statSync(path.join(dir, rel)).isDirectory() ? listFiles(dir, rel) : [rel];
  });
}

function etagOf(body: Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
}
