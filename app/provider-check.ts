import { scrub } from '../engine/llm/errors.ts';
import { probeOllama } from '../engine/llm/select.ts';
import type { LlmProvider } from '../engine/llm/types.ts';

const CHECK_MS = 1500;

/** What a one-off `arena debate` can do instead; a server says LLM_PROVIDER (see `ProblemOptions`). */
export const CLI_OFFLINE = 'or use --provider offline for a labelled draft without a model';
/** What the operator of a running arena can do instead. */
export const SERVER_OFFLINE =
  'or restart the arena with LLM_PROVIDER=offline for labelled drafts without a model';

export interface ProblemOptions {
  /** OLLAMA_HOST: Ollama is asked by its address, once and quietly (its own calls retry and warn). */
  ollamaHost?: string;
  /** The other way out, after "start it": CLI_OFFLINE by default. */
  fallback?: string;
}

/**
 * Why a debate cannot run on this provider right now, in one line saying what to do, or null when
 * it answers. Asked before a debate is created, so a dead provider costs a second, not a debate.
 * Addresses are shown with any credentials in them redacted.
 */
export async function providerProblem(
  llm: LlmProvider,
  description: string,
  opts: ProblemOptions = {},
): Promise<string | null> {
  if (llm.name === 'offline') return null;
  const fallback = opts.fallback ?? CLI_OFFLINE;
  if (llm.name === 'ollama' && opts.ollamaHost) return ollamaProblem(opts.ollamaHost, fallback);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_MS / 1000} s`)), CHECK_MS);
  });
  try {
    await Promise.race([llm.models(), late]);
    return null;
  } catch (error) {
    const why = scrub(error instanceof Error ? error.message : String(error));
    return `the model provider (${scrub(description)}) does not answer (${why}): start the model server, ${fallback}`;
  } finally {
    clearTimeout(timer);
  }
}

/** The same question for Ollama by its address alone: asked before a database is even opened. */
export async function ollamaProblem(host: string, fallback = CLI_OFFLINE): Promise<string | null> {
  const models = await probeOllama(host);
  const at = `Ollama at ${scrub(host)}`;
  if (models === null) return `${at} is not reachable: start it with \`ollama serve\`, ${fallback}`;
  if (models.length === 0) return `${at} has no model installed: run \`ollama pull qwen2.5:3b\`, ${fallback}`;
  return null;
}
