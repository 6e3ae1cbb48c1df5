import type { RequestInfo } from '../types.ts';

export interface RouteContext {
  request: Request;
  url: URL;
  params: Record<string, string>;
  info: RequestInfo;
}

export type Handler = (ctx: RouteContext) => Response | Promise<Response>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/** A tiny method + path router: `/api/debates/:id` style patterns, first match wins. */
export function createRouter() {
  const routes: Route[] = [];
  const add = (method: string, path: string, handler: Handler) => {
    const keys: string[] = [];
    const source = path
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          const m = /^:(\w+)(.*)$/.exec(part)!;
          keys.push(m[1]!);
          return `([^/]+?)${escapeRegExp(m[2] ?? '')}`;
        }
        return escapeRegExp(part);
      })
      .join('/');
    routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
  };
  return {
    get: (path: string, handler: Handler) => add('GET', path, handler),
    post: (path: string, handler: Handler) => add('POST', path, handler),
    /** The handler for a request, or why there is none (unknown path vs wrong method). */
    match(
      method: string,
      pathname: string,
    ): { handler: Handler; params: Record<string, string> } | 'not_found' | 'method' {
      let pathMatched = false;
      for (const route of routes) {
        const m = route.pattern.exec(pathname);
        if (!m) continue;
        pathMatched = true;
        const wanted = method === 'HEAD' ? 'GET' : method;
        if (route.method !== wanted) continue;
        const params: Record<string, string> = {};
        route.keys.forEach((k, i) => {
          params[k] = safeDecode(m[i + 1] ?? '');
        });
        return { handler: route.handler, params };
      }
      return pathMatched ? 'method' : 'not_found';
    },
  };
}

export type Router = ReturnType<typeof createRouter>;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
