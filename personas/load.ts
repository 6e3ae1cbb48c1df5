import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PersonaFileError } from './errors.ts';
import { PERSONA_FILE_EXTENSIONS, parsePersonaFile } from './parse-file.ts';
import type { Persona } from './types.ts';

/** The folder of built-in persona files shipped with the app. */
export const BUILTIN_CATALOG_DIR = fileURLToPath(new URL('./catalog/', import.meta.url));

export interface LoadCatalogOptions {
  /** A user folder (PERSONAS_DIR) whose personas add to the built-in ones or replace them by id. */
  extraDir?: string;
}

interface Entry {
  persona: Persona;
  file: string;
}

let builtinLayer: Promise<Entry[]> | undefined;

/** The effective catalog: built-in personas, then the user folder's additions and overrides. */
export async function loadCatalog(options: LoadCatalogOptions = {}): Promise<Persona[]> {
  const builtin = await loadBuiltinLayer();
  if (options.extraDir === undefined) return builtin.map((e) => e.persona);
  const user = await loadLayer(options.extraDir);
  // Map#set keeps an existing key's position, so an override stays where the built-in one was.
  const effective = new Map(builtin.map((e) => [e.persona.id, e]));
  for (const entry of user) effective.set(entry.persona.id, entry);
  const entries = [...effective.values()];
  assertUnique(entries, 'handle', (p) => p.handle.toLowerCase());
  return entries.map((e) => e.persona);
}

/** The built-in personas only, read once per process. */
export async function builtinCatalog(): Promise<readonly Persona[]> {
  return (await loadBuiltinLayer()).map((e) => e.persona);
}

function loadBuiltinLayer(): Promise<Entry[]> {
  builtinLayer ??= loadLayer(BUILTIN_CATALOG_DIR).catch((err: unknown) => {
    builtinLayer = undefined;
    throw err;
  });
  return builtinLayer;
}

async function loadLayer(dir: string): Promise<Entry[]> {
  const shownDir = displayPath(dir);
  let names: string[];
  try {
    const dirents = await readdir(dir, { withFileTypes: true });
    names = dirents
      .filter((d) => d.isFile() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .filter((n) => PERSONA_FILE_EXTENSIONS.includes(path.extname(n).toLowerCase()))
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : String(err);
    throw new PersonaFileError(shownDir, undefined, `cannot read the persona folder: ${why}`);
  }
  const entries = await Promise.all(
    names.map(async (name) => {
      const file = displayPath(path.join(dir, name));
      const persona = deepFreeze(parsePersonaFile(file, await readFile(path.join(dir, name), 'utf8')));
      return { persona, file };
    }),
  );
  assertUnique(entries, 'id', (p) => p.id);
  assertUnique(entries, 'handle', (p) => p.handle.toLowerCase());
  return entries;
}

function assertUnique(entries: readonly Entry[], field: 'id' | 'handle', key: (p: Persona) => string): void {
  const seen = new Map<string, Entry>();
  for (const entry of entries) {
    const k = key(entry.persona);
    const first = seen.get(k);
    if (first !== undefined) {
      const reason = `${JSON.stringify(entry.persona[field])} is already used by ${first.file}`;
      throw new PersonaFileError(entry.file, field, reason, first.file);
    }
    seen.set(k, entry);
  }
}

// Paths under the working directory read better relative, as in `personas/foo.yaml`.
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
