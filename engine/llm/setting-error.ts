/** A configuration string (LLM_PRICES, OPENAI_MODEL_MAP) that does not parse; names the setting. */
export class LlmSettingError extends Error {
  override name = 'LlmSettingError';
  /** Exit code for the CLI, like the app's ConfigError. */
  readonly exitCode = 2;
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting}: ${detail}`);
  }
}
