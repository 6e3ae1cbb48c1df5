import {
  Annotation,
  type BaseCheckpointSaver,
  type LangGraphRunnableConfig,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { decideOutcome } from '../../engine/debate/plan/outcome.ts';
import { parseVerdict, renderVerdict, type Verdict } from '../../engine/debate/verdict.ts';
import type { ChatMessage, LlmProvider } from '../../engine/llm/types.ts';
import type { Persona } from '../../personas/types.ts';
import type { DebateScript, ScriptStep } from '../script.ts';
import { brief, metadataOf, NODE_NAMES, NODES, nextNode, RECENT_MESSAGES, systemPrompt } from './steps.ts';

/** A transcript entry as plain data: no LangChain message classes. */
export interface Entry {
  speaker: string;
  kind: ScriptStep['kind'];
  content: string;
}

/** The same state as the idiomatic graph, with plain objects and a concat reducer for the transcript. */
export const LeanState = Annotation.Root({
  transcript: Annotation<Entry[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  idea: Annotation<string>(),
  step: Annotation<number>(),
  verdicts: Annotation<Verdict[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  outcome: Annotation<string | null>(),
  plan: Annotation<Record<string, string>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
});

type State = typeof LeanState.State;
type Update = typeof LeanState.Update;

export interface LeanGraphDeps {
  llm: LlmProvider;
  script: DebateScript;
  personas: ReadonlyMap<string, Persona>;
  checkpointer: BaseCheckpointSaver;
}

/**
 * The debate graph without LangChain's model layer: nodes call the provider directly and stream
 * deltas through `config.writer` (streamMode 'custom'). Isolates the graph and checkpointer costs.
 */
export function buildLeanGraph({ llm, script, personas, checkpointer }: LeanGraphDeps) {
  async function speak(
    state: State,
    config: LangGraphRunnableConfig,
  ): Promise<{ step: ScriptStep; entry: Entry }> {
    const step = script[state.step]!;
    const recent = state.transcript.slice(-RECENT_MESSAGES).map((e) => `${e.speaker}: ${e.content}`);
    const messages: ChatMessage[] = [
      { role: 'system', content: systemPrompt(personas, step) },
      { role: 'user', content: [state.idea, ...recent, brief(step, state.idea)].join('\n\n') },
    ];
    const result = await llm.chat(
      { model: 'bench-model', messages, metadata: metadataOf(step, state.idea, state.transcript.length) },
      (delta) => config.writer?.({ speaker: step.speaker, delta }),
    );
    return { step, entry: { speaker: step.speaker, kind: step.kind, content: result.text } };
  }

  const turn = async (state: State, config: LangGraphRunnableConfig): Promise<Update> => {
    const { entry } = await speak(state, config);
    return { transcript: [entry], step: state.step + 1 };
  };
  const evaluate = async (state: State, config: LangGraphRunnableConfig): Promise<Update> => {
    const { entry } = await speak(state, config);
    const parsed = parseVerdict(entry.content);
    if (!parsed.ok) return { transcript: [entry], step: state.step + 1 };
    const shown = { ...entry, content: renderVerdict(parsed.verdict, 'en') };
    return { transcript: [shown], verdicts: [parsed.verdict], step: state.step + 1 };
  };
  const decide = async (state: State): Promise<Update> => {
    const decision = decideOutcome(state.verdicts, 1);
    const note: Entry = {
      speaker: 'system',
      kind: 'outcome',
      content: `Outcome: ${decision.outcome} (average ${decision.average})`,
    };
    return { transcript: [note], outcome: decision.outcome, step: state.step + 1 };
  };
  const writeSection = async (state: State, config: LangGraphRunnableConfig): Promise<Update> => {
    const { step, entry } = await speak(state, config);
    const key = step.section ?? 'plan';
    return {
      transcript: [entry],
      plan: { [key]: `${state.plan[key] ?? ''}### ${entry.speaker}\n\n${entry.content}\n\n` },
      step: state.step + 1,
    };
  };
  const writeFinal = async (state: State, config: LangGraphRunnableConfig): Promise<Update> => {
    const { entry } = await speak(state, config);
    return { transcript: [entry], plan: { final: entry.content }, step: state.step + 1 };
  };

  const route = (state: State) => nextNode(script, state.step);
  const graph = new StateGraph(LeanState)
    .addNode(NODES.turn, turn)
    .addNode(NODES.summary, turn)
    .addNode(NODES.verdict, evaluate)
    .addNode(NODES.outcome, decide)
    .addNode(NODES.section, writeSection)
    .addNode(NODES.final, writeFinal)
    .addConditionalEdges(START, route, [...NODE_NAMES]);
  for (const node of NODE_NAMES) graph.addConditionalEdges(node, route);
  return graph.compile({ checkpointer });
}
