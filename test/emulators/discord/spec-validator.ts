import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

// Discord's OpenAPI 3.1 description (MIT, see spec/LICENSE), vendored so a fresh clone can validate.
const SPEC_PATH = new URL('./spec/openapi.json', import.meta.url);

type Spec = { paths: Record<string, Record<string, unknown>>; components: unknown };

/** One problem found by the spec, shaped for Discord's nested `errors` object. */
export interface SpecIssue {
  path: string[];
  code: string;
  message: string;
}

/** Validates request bodies and responses against Discord's OpenAPI description. */
export interface SpecValidator {
  /** Issues with `body` as the request of `method specPath` (empty when valid or unspecified). */
  request(specPath: string, method: string, body: unknown): SpecIssue[];
  /** Issues with `body` as the `status` response of `method specPath`. */
  response(specPath: string, method: string, status: number, body: unknown): SpecIssue[];
}

let shared: { spec: Spec; ajv: Ajv2020; cache: Map<string, ValidateFunction | null> } | null = null;

// Compiling the big schemas takes a moment; one Ajv per process serves every emulator.
function load() {
  if (shared) return shared;
  const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Spec;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  for (const f of ['snowflake', 'int32', 'int64', 'nonce', 'double', 'float']) ajv.addFormat(f, true);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  ajv.addSchema({ $id: 'discord', components: spec.components, paths: spec.paths });
  shared = { spec, ajv, cache: new Map() };
  return shared;
}

const pointer = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

function compile(ref: string[], exists: (spec: Spec) => boolean): ValidateFunction | null {
  const s = load();
  const key = ref.join('/');
  if (!s.cache.has(key)) {
    s.cache.set(
      key,
      exists(s.spec) ? s.ajv.compile({ $ref: `discord#/${ref.map(pointer).join('/')}` }) : null,
    );
  }
  return s.cache.get(key) ?? null;
}

function dig(obj: unknown, keys: string[]): unknown {
  let cur = obj;
  for (const k of keys)
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}

const CODES: Record<string, string> = {
  maxLength: 'BASE_TYPE_MAX_LENGTH',
  minLength: 'BASE_TYPE_MIN_LENGTH',
  maxItems: 'BASE_TYPE_MAX_LENGTH',
  minItems: 'BASE_TYPE_MIN_LENGTH',
  required: 'BASE_TYPE_REQUIRED',
  type: 'BASE_TYPE_BAD_TYPE',
  enum: 'BASE_TYPE_CHOICES',
  maximum: 'NUMBER_TYPE_MAX',
  minimum: 'NUMBER_TYPE_MIN',
  format: 'BASE_TYPE_BAD_FORMAT',
};

function toIssues(errors: ErrorObject[] | null | undefined): SpecIssue[] {
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  for (const e of errors ?? []) {
    // Union wrappers repeat what their branches said; the branches carry the detail.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'allOf' || e.keyword === 'if')
      continue;
    const path = e.instancePath.split('/').slice(1);
    if (e.keyword === 'required')
      path.push(String((e.params as { missingProperty: string }).missingProperty));
    const issue = { path, code: CODES[e.keyword] ?? 'BASE_TYPE_INVALID', message: e.message ?? 'invalid' };
    const key = `${path.join('.')}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

// A failing top-level union reports every branch's complaints; like Discord, report only the branch
// that came closest (fewest issues). Branches compile only on this failure path.
function check(ref: string[], body: unknown): SpecIssue[] {
  const schema = dig(load().spec, ref) as Record<string, unknown> | undefined;
  if (!schema) return [];
  const validate = compile(ref, () => true);
  if (!validate || validate(body)) return [];
  const key = Array.isArray(schema.anyOf) ? 'anyOf' : Array.isArray(schema.oneOf) ? 'oneOf' : null;
  if (!key) return toIssues(validate.errors);
  let best: SpecIssue[] | null = null;
  (schema[key] as unknown[]).forEach((_, i) => {
    const branch = compile([...ref, key, String(i)], () => true);
    if (!branch || branch(body)) return;
    const issues = toIssues(branch.errors);
    if (!best || issues.length < best.length) best = issues;
  });
  return best ?? toIssues(validate.errors);
}

export function createSpecValidator(): SpecValidator {
  return {
    request(specPath, method, body) {
      const op = ['paths', specPath, method.toLowerCase()];
      return check([...op, 'requestBody', 'content', 'application/json', 'schema'], body);
    },
    response(specPath, method, status, body) {
      const op = ['paths', specPath, method.toLowerCase()];
      return check([...op, 'responses', String(status), 'content', 'application/json', 'schema'], body);
    },
  };
}

/** Discord's nested form-body error object built from issues: `{ content: { _errors: [...] } }`. */
export function formErrors(issues: SpecIssue[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const issue of issues) {
    let node = root;
    for (const key of issue.path) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    if (!Array.isArray(node._errors)) node._errors = [];
    (node._errors as unknown[]).push({ code: issue.code, message: issue.message });
  }
  return root;
}
