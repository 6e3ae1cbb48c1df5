import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import { BaseChatModel, type BaseChatModelCallOptions } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { ChatMessage, ChatMetadata, LlmProvider } from '../../engine/llm/types.ts';

export interface BenchChatCallOptions extends BaseChatModelCallOptions {
  /** What the call is for, so the fake model composes the same reply it gives the arena. */
  benchMeta?: ChatMetadata;
}

/**
 * The benchmark's fake model as a LangChain chat model, the way a LangGraph app would hold any
 * provider: streams through `_streamResponseChunks` (what `streamMode: 'messages'` listens to).
 */
export class BenchChatModel extends BaseChatModel<BenchChatCallOptions> {
  constructor(private readonly llm: LlmProvider) {
    super({});
  }

  _llmType(): string {
    return 'bench';
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const result = await this.llm.chat({
      model: 'bench-model',
      messages: toChat(messages),
      metadata: options.benchMeta,
    });
    const message = new AIMessage({
      content: result.text,
      usage_metadata: usage(result.promptTokens, result.completionTokens),
    });
    return { generations: [{ text: result.text, message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const pieces: string[] = [];
    const result = await this.llm.chat(
      { model: 'bench-model', messages: toChat(messages), metadata: options.benchMeta },
      (delta) => pieces.push(delta),
    );
    for (const piece of pieces) {
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      yield chunk;
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
    yield new ChatGenerationChunk({
      text: '',
      message: new AIMessageChunk({
        content: '',
        usage_metadata: usage(result.promptTokens, result.completionTokens),
      }),
    });
  }
}

function usage(input: number, output: number) {
  return { input_tokens: input, output_tokens: output, total_tokens: input + output };
}

function toChat(messages: BaseMessage[]): ChatMessage[] {
  return messages.map((m) => {
    const type = m.getType();
    const role = type === 'system' ? 'system' : type === 'ai' ? 'assistant' : 'user';
    return { role, content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content) };
  });
}
