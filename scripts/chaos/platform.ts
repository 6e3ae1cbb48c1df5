import type { ThreadPost } from './check.ts';

/** A platform the run drives through its emulator, as `arena start` sees it. */
export interface ChaosPlatform {
  name: 'discord' | 'slack';
  /** The settings that point `arena start` at the emulator. */
  env: Record<string, string>;
  /** The line `arena start` prints once this platform takes commands and people's messages. */
  connectedLine: RegExp;
  /** The emulator holds a live connection from the app (gateway or Socket Mode). */
  connected(): boolean;
  /** `/arena start <idea>` in the ideas channel; resolves with the thread the bot opened for it. */
  startDebate(idea: string, timeoutMs: number): Promise<string>;
  /** A person writes into a thread; resolves with the platform's id of that message. */
  say(threadId: string, text: string): Promise<string>;
  /** Everything in the thread but its opening: the app's posts and people's messages, oldest first. */
  posts(threadId: string): ThreadPost[];
  /** How a committed message's text reads in a thread (escaping and markup of the platform). */
  shownText(text: string): string;
  /** The name a persona's post carries on this platform. */
  authorName(name: string): string;
  /**
   * The next post or edit fails: `500` often enough that the client's own retries give up and the
   * relay has to retry it, `429` with Retry-After. Resolves with how many calls will fail.
   */
  failPosts(kind: 500 | 429): number;
  close(): Promise<void>;
}

/** A thread the run opened, and the messages people sent into it. */
export interface ChaosThread {
  platform: ChaosPlatform;
  threadId: string;
  people: Array<{ id: string; text: string }>;
}

/** The dashboard address `arena start` is given (avatar links in posts). */
export const PUBLIC_URL = 'https://arena.example';
