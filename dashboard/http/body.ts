import type { HonoRequest, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { HttpError } from './respond.ts';

/** Refuses a request body larger than `limit` bytes with 413, streamed or declared. */
export function limitBody(limit: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new HttpError(413, 'body_too_large', `The request body is larger than ${limit} bytes`);
    },
  });
}

/** Parses a JSON body against a schema; every failure is a 4xx with a code, never a 500. */
export async function readJson<T extends z.ZodType>(request: HonoRequest, schema: T): Promise<z.infer<T>> {
  const type = request.header('content-type') ?? '';
  const text = await request.text();
  // An empty body means "no options" for actions that take none.
  if (text.trim() === '') return parse(schema, {});
  // Requiring JSON also makes a cross-site form post impossible: browsers preflight JSON requests.
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
  }
  return parse(schema, value);
}

/** Validates a query string against a schema: 400 `invalid_query` naming the first bad field. */
export function readQuery<T extends z.ZodType>(request: HonoRequest, schema: T): z.infer<T> {
  const result = schema.safeParse(request.query());
  if (!result.success) {
    const first = result.error.issues[0];
    throw new HttpError(
      400,
      'invalid_query',
      `${first?.path.join('.') ?? 'query'}: ${first?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    const where = first?.path ? `${first.path}: ` : '';
    throw new HttpError(400, 'invalid_body', `${where}${first?.message ?? 'invalid body'}`, issues);
  }
  return result.data;
}
