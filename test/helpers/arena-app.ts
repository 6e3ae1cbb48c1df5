import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../app/config.ts';
import { type RunningArena, startArena } from '../../app/main.ts';
import { silentLogger } from '../../engine/log.ts';
import type { DiscordEmulator } from '../emulators/discord/index.ts';
import type { SlackEmulator } from '../emulators/slack/index.ts';
import { createAppDatabase, type TestDatabase } from './db.ts';
import { PUBLIC_URL } from './engine.ts';

export { PUBLIC_URL } from './engine.ts';

export interface TestApp {
  running: RunningArena;
  close(): Promise<void>;
}

/**
 * `arena start` in this process, as main.ts wires it, on a fresh migrated database (a new Postgres
 * database when TEST_DATABASE_URL is set, else PGlite in a temporary folder), with the offline LLM, the
 * dashboard on a free port and no scheduled jobs; `env` adds the platforms and anything else.
 */
export async function startTestApp(env: Record<string, string>): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'arena-app-'));
  const pg: TestDatabase | undefined = await createAppDatabase(dataDir);
  const config = loadConfig({
    ...(pg?.url ? { DATABASE_URL: pg.url } : { DATA_DIR: dataDir }),
    LLM_PROVIDER: 'offline',
    DASHBOARD_PORT: '0',
    PUBLIC_URL,
    JOBS: 'off',
    ...env,
  });
  const running = await startArena({ config, log: silentLogger }).catch(async (error) => {
    await pg?.dispose();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  return {
    running,
    async close() {
      await running.close();
      await pg?.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The settings that point `arena start` at a Discord emulator. */
export const discordEnv = (emu: DiscordEmulator) => ({
  DISCORD_TOKEN: emu.token,
  DISCORD_APPLICATION_ID: emu.seed.applicationId,
  DISCORD_API_URL: emu.apiUrl,
});

/** The settings that point `arena start` at a Slack emulator, in Socket Mode or HTTP mode. */
export const slackEnv = (emu: SlackEmulator, mode: 'socket' | 'http') => ({
  SLACK_BOT_TOKEN: emu.botToken,
  SLACK_API_URL: emu.apiUrl,
  ...(mode === 'socket' ? { SLACK_APP_TOKEN: emu.appToken } : { SLACK_SIGNING_SECRET: emu.signingSecret }),
});
