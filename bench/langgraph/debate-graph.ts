import { AIMessage, type BaseMessage, HumanMessage, SystemMessage } from '@langchain/core/messages';
import {
  Annotation,
  type BaseCheckpointSaver,
  MessagesAnnotation,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { decideOutcome } from '../../engine/debate/plan/outcome.ts';
import { parseVerdict, renderVerdict, type Verdict } from '../../engine/debate/verdict.ts';
import type { Persona } from '../../personas/types.ts';
import type { DebateScript, ScriptStep } from '../script.ts';
import type { BenchChatModel } from './chat-model.ts';
import { brief, metadataOf, NODE_NAMES, NODES, nextNode, RECENT_MESSAGES, systemPrompt } from './steps.ts';

/**
 * The debate's state the LangGraph way: the transcript is a messages channel (MessagesAnnotation's
 * reducer), next to the step counter, the verdicts, the outcome and the plan.
 */
export const DebateState = Annotation.Root({
  ...MessagesAnnotation.spec,
  idea: Annotation<string>(),
  step: Annotation<number>(),
  verdicts: Annotation<Verdict[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  outcome: Annotation<string | null>(),
  plan: Annotation<Record<string, string>>({ reducer: (a, b) => ({ ...a, ...b }), default: () => ({}) }),
});

type State = typeof DebateState.State;
type Update = typeof DebateState.Update;

export interface DebateGraphDeps {
  model: BenchChatModel;
  script: DebateScript;
  personas: ReadonlyMap<string, Persona>;
  checkpointer: BaseCheckpointSaver;
}

/**
 * The same debate as a StateGraph: a node per kind of step (divergence turn, summary, verdict,
 * outcome, plan section, final plan), routed by the script, with a checkpointer saving every step.
 */
export function buildDebateGraph({ model, script, personas, checkpointer }: DebateGraphDeps) {
  async function speak(state: State): Promise<{ step: ScriptStep; reply: AIMessage }> {
    const step = script[state.step]!;
    const response = await model.invoke(
      [
        new SystemMessage(systemPrompt(personas, step)),
        ...state.messages.slice(-RECENT_MESSAGES),
        new HumanMessage(brief(step, state.idea)),
      ],
      { benchMeta: metadataOf(step, state.idea, state.messages.length) },
    );
    const text = typeof response.content === 'string' ? response.content : JSON.stringify(response.content);
    const name = personas.get(step.speaker)?.handle ?? step.speaker;
    return { step, reply: new AIMessage({ content: text, name, usage_metadata: response.usage_metadata }) };
  }

  const turn = async (state: State): Promise<Update> => {
    const { reply } = await speak(state);
    return { messages: [reply], step: state.step + 1 };
  };
  const evaluate = async (state: State): Promise<Update> => {
    const { reply } = await speak(state);
    const parsed = parseVerdict(String(reply.content));
    if (!parsed.ok) return { messages: [reply], step: state.step + 1 };
    const shown = new AIMessage({ content: renderVerdict(parsed.verdict, 'en'), name: reply.name });
    return { messages: [shown], verdicts: [parsed.verdict], step: state.step + 1 };
  };
  const decide = async (state: State): Promise<Update> => {
    const decision = decideOutcome(state.verdicts, 1);
    const note = new AIMessage({
      content: `Outcome: ${decision.outcome} (average ${decision.average})`,
      name: 'system',
    });
    return { messages: [note], outcome: decision.outcome, step: state.step + 1 };
  };
  const writeSection = async (state: State): Promise<Update> => {
    const { step, reply } = await speak(state);
    const key = step.section ?? 'plan';
    const text = `${state.plan[key] ?? ''}### ${reply.name}\n\n${reply.content}\n\n`;
    return { messages: [reply], plan: { [key]: text }, step: state.step + 1 };
  };
  const writeFinal = async (state: State): Promise<Update> => {
    const { reply } = await speak(state);
    return { messages: [reply], plan: { final: String(reply.content) }, step: state.step + 1 };
  };

  const route = (state: State) => nextNode(script, state.step);
  const graph = new StateGraph(DebateState)
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

/** The first state of a debate thread. */
export function initialState(idea: string): {
  idea: string;
  step: number;
  messages: BaseMessage[];
  outcome: null;
} {
  return { idea, step: 0, messages: [new HumanMessage(idea)], outcome: null };
}
