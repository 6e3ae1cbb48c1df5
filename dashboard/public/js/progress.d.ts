// Types of progress.js for the TypeScript side (the CLI); the browser loads the .js as it is.
export type Phase = 'divergence' | 'convergence' | 'planning';
export type ProgressUnit = 'round' | 'verdicts' | 'sections';
interface WithProgress {
  phase: Phase;
  progress: { done: number; total: number };
}

export declare const PROGRESS_UNIT: Readonly<Record<Phase, ProgressUnit>>;

export declare function progressText(d: WithProgress, unitWord: (unit: ProgressUnit) => string): string;

export declare function phaseProgressText(
  d: WithProgress,
  words: { phase(phase: Phase): string; unit(unit: ProgressUnit): string },
): string;
