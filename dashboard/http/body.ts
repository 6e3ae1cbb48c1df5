import type { z } from 'zod';
import { HttpError } from './respond.ts';

/** Reads a request body as text, refusing it once it grows past `limit` bytes. */
export async function readText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body against a schema; every failure is a 4xx with a code, never a 500. */
export async function readJson<T extends z.ZodType>(
  request: Request,
  schema: T,
  limit: number,
): Promise<z.infer<T>> {
  const type = request.headers.get('content-type') ?? '';
  const text = await readText(request, limit);
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

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'body_too_large', `The request body is larger than ${limit} bytes`);
}
