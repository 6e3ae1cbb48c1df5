import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../app/config.ts';
import { createConsoleLogger, redact } from '../../engine/log.ts';

describe('config', () => {
  it('applies the documented defaults and freezes the result', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      DATA_DIR: './data',
      pgliteDir: 'data/pglite',
      LLM_PROVIDER: 'auto',
      DASHBOARD_HOST: '127.0.0.1',
      DASHBOARD_PORT: 3000,
      BUDGET_DAILY_USD: 50,
      BUDGET_MONTHLY_USD: 1500,
      PUBLIC_URL: 'http://127.0.0.1:3000',
      ARENA_MAX_DEBATES: 200,
      DATABASE_CONNECT_TIMEOUT_MS: 15_000,
      REDIS_PREFIX: 'arena:',
    });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [{ DASHBOARD_PORT: '70000' }, 'DASHBOARD_PORT'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ LLM_PROVIDER: 'gpt' }, 'LLM_PROVIDER'],
    [{ BUDGET_DAILY_USD: '-1' }, 'BUDGET_DAILY_USD'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DISCORD_TOKEN: 'abc' }, 'DISCORD_APPLICATION_ID'],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET'],
    [{ ARENA_MAX_DEBATES: '0' }, 'ARENA_MAX_DEBATES'],
    [{ ARENA_MAX_DEBATES: '2.5' }, 'ARENA_MAX_DEBATES'],
    [{ ARENA_MAX_DEBATES: 'many' }, 'ARENA_MAX_DEBATES'],
    [{ DATABASE_CONNECT_TIMEOUT_MS: '0' }, 'DATABASE_CONNECT_TIMEOUT_MS'],
    [{ REDIS_PREFIX: 'has space' }, 'REDIS_PREFIX'],
    [{ REDIS_PREFIX: 'x'.repeat(65) }, 'REDIS_PREFIX'],
  ])('rejects %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${name}:`));
  });

  it('reads the Redis prefix: empty means arena:, and any valid one is kept as given', () => {
    expect(loadConfig({ REDIS_PREFIX: '' }).REDIS_PREFIX).toBe('arena:');
    expect(loadConfig({ REDIS_PREFIX: 'staging:' }).REDIS_PREFIX).toBe('staging:');
  });

  it('reads the per-person chat limits, with defaults, and says what it expects on a bad value', () => {
    expect(loadConfig({})).toMatchObject({ CHAT_COMMANDS_PER_MINUTE: 10, CHAT_MESSAGES_PER_MINUTE: 5 });
    expect(loadConfig({ CHAT_COMMANDS_PER_MINUTE: '3', CHAT_MESSAGES_PER_MINUTE: '20' })).toMatchObject({
      CHAT_COMMANDS_PER_MINUTE: 3,
      CHAT_MESSAGES_PER_MINUTE: 20,
    });
    expect(() => loadConfig({ CHAT_COMMANDS_PER_MINUTE: '0' })).toThrow(
      /^CHAT_COMMANDS_PER_MINUTE: expected a whole number from 1 to 10000 \(got "0"\)/,
    );
    expect(() => loadConfig({ CHAT_MESSAGES_PER_MINUTE: 'lots' })).toThrow(
      /^CHAT_MESSAGES_PER_MINUTE: expected a whole number from 1 to 10000/,
    );
  });

  it('reads the runner capacity from ARENA_MAX_DEBATES and says what it expects on a bad value', () => {
    expect(loadConfig({ ARENA_MAX_DEBATES: ' 500 ' }).ARENA_MAX_DEBATES).toBe(500);
    expect(() => loadConfig({ ARENA_MAX_DEBATES: '-3' })).toThrow(
      /^ARENA_MAX_DEBATES: expected a whole number from 1 to 100000/,
    );
  });

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig({ DISCORD_TOKEN: 'super-secret-token', DISCORD_APPLICATION_ID: 'nope' });
      expect.unreachable();
    } catch (e) {
      expect(String(e)).not.toContain('super-secret-token');
    }
  });
});

describe('logger', () => {
  it('redacts tokens in messages and secret-named fields', () => {
    const lines: string[] = [];
    const log = createConsoleLogger({ level: 'debug', write: (l) => lines.push(l) });
    const botToken = `${'M'.repeat(24)}.${'a'.repeat(6)}.${'b'.repeat(27)}`;
    log.info(`connecting with ${botToken} and xoxb-123456789-abcdefghij`, {
      token: 'plain-secret',
      url: 'postgres://arena:pw123@db:5432/arena',
      webhook: 'https://discord.com/api/webhooks/123456789012345678/abcDEF_secret-token',
    });
    const out = lines.join('\n');
    for (const secret of [
      botToken,
      'xoxb-123456789-abcdefghij',
      'plain-secret',
      'pw123',
      'abcDEF_secret-token',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('postgres://arena:***@db');
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const log = createConsoleLogger({ level: 'warn', write: (l) => lines.push(l) });
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
    expect(redact('Bearer abc.def')).toBe('Bearer ***');
  });
});
