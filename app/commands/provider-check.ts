import type { LlmProvider } from '../../engine/llm/types.ts';

const CHECK_MS = 1500;

/**
 * Why a debate cannot run on this provider right now, in one line saying what to do, or null when
 * it answers. Asked before a debate is created, so a dead provider costs a second, not a debate.
 */
export async function providerProblem(llm: LlmProvider, description: string): Promise<string | null> {
  if (llm.name === 'offline') return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_MS / 1000} s`)), CHECK_MS);
  });
  try {
    const models = await Promise.race([llm.models(), late]);
    if (llm.name === 'ollama' && models.length === 0)
      return 'Ollama has no model installed: run `ollama pull qwen2.5:3b`, or use --provider offline for a labelled draft without a model';
    return null;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const start = llm.name === 'ollama' ? 'start Ollama (`ollama serve`)' : 'start the model server';
    return `the model provider does not answer (${description}: ${why}); ${start}, or use --provider offline for a labelled draft without a model`;
  } finally {
    clearTimeout(timer);
  }
}
