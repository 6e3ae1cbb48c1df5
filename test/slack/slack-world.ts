import type { Kysely } from 'kysely';
import type { ChatLimits } from '../../bot/limits/chat-limits.ts';
import { type SlackBot, startSlackBot } from '../../bot/slack/app.ts';
import { SlackHttpReceiver } from '../../bot/slack/http-receiver.ts';
import { createDashboard, type Dashboard } from '../../dashboard/server.ts';
import type { Database } from '../../db/schema.ts';
import type { Arena } from '../../engine/api.ts';
import { systemClock } from '../../engine/clock.ts';
import type { DebateRunner } from '../../engine/debate/run/runner.ts';
import type { LlmProvider } from '../../engine/llm/types.ts';
import type { Persona } from '../../personas/types.ts';
import type { SlackEmulator } from '../emulators/slack/index.ts';
import { PUBLIC_URL } from '../helpers/arena-app.ts';
import { createTestEngine, testLog } from '../helpers/engine.ts';

export { PUBLIC_URL } from '../helpers/arena-app.ts';

const log = testLog;

export interface SlackInstance {
  arena: Arena;
  runner: DebateRunner;
  slack: SlackBot;
  dashboard: Dashboard | null;
  kill(): Promise<void>;
}

/**
 * The real engine and the real Bolt app on one database, pointed at the emulator: in HTTP mode the
 * receiver is mounted at /slack/events of a real dashboard server; in Socket Mode it connects out.
 */
export async function startSlackInstance(props: {
  db: Kysely<Database>;
  emu: SlackEmulator;
  llm: LlmProvider;
  personas: readonly Persona[];
  mode: 'http' | 'socket';
  managers?: string[];
  instanceId?: string;
  /** Per-person limits (default: the product's defaults, in memory). */
  limits?: ChatLimits;
}): Promise<SlackInstance> {
  const { arena, runner, bus } = createTestEngine({
    db: props.db,
    llm: props.llm,
    personas: props.personas,
    instanceId: props.instanceId ?? 'slack-e2e',
  });
  let dashboard: Dashboard | null = null;
  let mode: Parameters<typeof startSlackBot>[0]['mode'];
  if (props.mode === 'http') {
    const receiver = new SlackHttpReceiver({ signingSecret: props.emu.signingSecret, log });
    dashboard = createDashboard({
      arena,
      bus,
      db: props.db,
      config: {
        host: '127.0.0.1',
        port: 0,
        publicUrl: PUBLIC_URL,
        version: 'test',
        codename: 'test',
        dialect: 'pglite',
      },
      components: () => [],
      inbound: { '/slack/events': receiver },
      log,
      clock: systemClock,
    });
    const { url } = await dashboard.listen();
    props.emu.useHttp(`${url}/slack/events`);
    mode = { kind: 'http', receiver };
  } else {
    mode = { kind: 'socket', appToken: props.emu.appToken };
  }
  const slack = await startSlackBot({
    botToken: props.emu.botToken,
    mode,
    apiUrl: props.emu.apiUrl,
    managers: props.managers ?? [],
    arena,
    bus,
    db: props.db,
    personas: props.personas,
    publicUrl: PUBLIC_URL,
    log,
    clock: systemClock,
    ...(props.limits ? { limits: props.limits } : {}),
  });
  await runner.start();
  return {
    arena,
    runner,
    slack,
    dashboard,
    async kill() {
      await Promise.all([slack.stop(), runner.stop()]);
      await dashboard?.close();
    },
  };
}
