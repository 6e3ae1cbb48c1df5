import { existsSync } from 'node:fs';
import { z } from 'zod';

// What `npm run screenshots` takes from its environment, parsed once here (the script reads no
// process.env itself): where Chromium is, and what the child `arena start` inherits.
const Schema = z.object({
  CHROMIUM_PATH: z.string().trim().min(1).default('/usr/bin/chromium'),
  PATH: z.string().default(''),
  HOME: z.string().trim().min(1).optional(),
});

export interface ScreenshotOptions {
  chromiumPath: string;
  /** Passed on to the child arena, so it finds node and git as the caller does. */
  path: string;
  home: string | undefined;
}

/** Parses the environment; a bad value or a missing browser is one clear sentence, thrown. */
export function screenshotOptions(
  env: Record<string, string | undefined> = process.env,
  exists: (file: string) => boolean = existsSync,
): ScreenshotOptions {
  const parsed = Schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`screenshots: ${String(issue.path[0])} is not usable (${issue.message})`);
  }
  const { CHROMIUM_PATH, PATH, HOME } = parsed.data;
  if (!exists(CHROMIUM_PATH))
    throw new Error(
      `screenshots: no Chromium at ${CHROMIUM_PATH}; install it (apt-get install chromium) or set CHROMIUM_PATH`,
    );
  return { chromiumPath: CHROMIUM_PATH, path: PATH, home: HOME };
}
