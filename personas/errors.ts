/** A persona file that cannot be used: the CLI prints the message and exits with code 2, like a UsageError. */
export class PersonaFileError extends Error {
  override name = 'PersonaFileError';
  readonly code = 'persona_file';
  readonly exitCode = 2;

  constructor(
    /** The file (or folder) at fault, as shown in the message. */
    readonly file: string,
    /** Dotted path of the first bad field, or undefined when the whole file is at fault. */
    readonly field: string | undefined,
    readonly reason: string,
    /** The other file of a duplicate id or handle. */
    readonly otherFile?: string,
  ) {
    super(field === undefined ? `${file}: ${reason}` : `${file}: ${field}: ${reason}`);
  }
}
