import { probeOllama } from '../../engine/llm/select.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';

const CHECK_MS = 1500;
const OR_OFFLINE = 'or use --provider offline for a labelled draft without a model';
const NO_MODEL = `Ollama has no model installed: run \`ollama pull qwen2.5:3b\`, ${OR_OFFLINE}`;

/**
 * Why a debate cannot run on this provider right now, in one line saying what to do, or null when
 * it answers. Asked before a debate is created, so a dead provider costs a second, not a debate.
 * Ollama is asked once, quietly (its own calls retry and warn: right for a debate, noise here).
 */
export async function providerProblem(
  llm: LlmProvider,
  description: string,
  opts: { ollamaHost?: string } = {},
): Promise<string | null> {
  if (llm.name === 'offline') return null;
  const down = (why: string) => {
    const start = llm.name === 'ollama' ? 'start Ollama (`ollama serve`)' : 'start the model server';
    return `the model provider does not answer (${description}: ${why}); ${start}, ${OR_OFFLINE}`;
  };
  if (llm.name === 'ollama' && opts.ollamaHost) return ollamaProblem(opts.ollamaHost, description);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_MS / 1000} s`)), CHECK_MS);
  });
  try {
    const models = await Promise.race([llm.models(), late]);
    if (llm.name === 'ollama' && models.length === 0) return NO_MODEL;
    return null;
  } catch (error) {
    return down(error instanceof Error ? error.message : String(error));
  } finally {
    clearTimeout(timer);
  }
}

/** The same question for Ollama by its address alone: asked before a database is even opened. */
export async function ollamaProblem(host: string, description: string): Promise<string | null> {
  const models = await probeOllama(host);
  if (models === null)
    return `the model provider does not answer (${description}: no answer to /api/tags); start Ollama (\`ollama serve\`), ${OR_OFFLINE}`;
  return models.length === 0 ? NO_MODEL : null;
}
