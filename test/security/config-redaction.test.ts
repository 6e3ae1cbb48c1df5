import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactCredentials } from '../../app/config.ts';
import { redact } from '../../engine/log.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

// A password as people write them, malformed URLs included: anything but whitespace.
const password = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019/:@#?%!$&+=._~-'.split('')), minLength: 1, maxLength: 24 })
  .map((s) => `Pw${s}`);

describe('config errors never print credentials', () => {
  it('hides a DATABASE_URL password that holds a slash (it made the URL invalid)', () => {
    const message = configError({ DATABASE_URL: 'postgres://arena:s3cr/et@db.internal:5432/arena' });
    expect(message).toMatch(/^DATABASE_URL:/);
    expect(message).not.toContain('s3cr');
    expect(message).not.toContain('et@');
    expect(message).toContain('db.internal');
  });

  it('hides the user:password of an OLLAMA_HOST without a scheme', () => {
    const message = configError({ OLLAMA_HOST: 'admin:hunter2@gpu-box:11434' });
    expect(message).toMatch(/^OLLAMA_HOST:/);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('admin');
    expect(message).toContain('gpu-box:11434');
  });

  it('never echoes a value of a secret-named setting', () => {
    const message = configError({ DISCORD_TOKEN: 'tok', DISCORD_APPLICATION_ID: 'abc-secret' });
    expect(message).not.toContain('tok');
  });

  it('property: no URL setting ever prints its password, whatever it contains', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('DATABASE_URL', 'REDIS_URL', 'OLLAMA_HOST', 'OPENAI_BASE_URL', 'DISCORD_API_URL'),
        fc.constantFrom('', 'postgres://', 'http://', 'ftp://', 'redis://'),
        fc.string({ unit: fc.constantFrom(...'abcdef'.split('')), minLength: 1, maxLength: 6 }),
        password,
        fc.constantFrom('', '/x', ':99999', ' trailing'),
        (name, scheme, user, pw, tail) => {
          const value = `${scheme}${user}:${pw}@h0st${tail}`;
          let message = '';
          try {
            loadConfig({ [name]: value });
            return; // a valid value is not printed at all
          } catch (e) {
            message = (e as Error).message;
          }
          expect(message).not.toContain(pw);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: redaction keeps no character of the user information', () => {
    fc.assert(
      fc.property(password, fc.string({ maxLength: 20 }), (pw, rest) => {
        const shown = redactCredentials(`postgres://u:${pw}@${rest.replace(/@/g, '')}`);
        expect(shown).not.toContain(pw);
        expect(shown.startsWith('postgres://***@')).toBe(true);
      }),
    );
  });
});

describe('logs never print URL passwords', () => {
  it('hides a password with slashes and at-signs', () => {
    const line = redact('connecting to postgres://arena:a/b@c@db:5432/x failed');
    expect(line).toContain('postgres://arena:***@db:5432/x');
    expect(line).not.toContain('a/b');
  });

  it('property: a password in a URL inside a log line never survives', () => {
    fc.assert(
      fc.property(password, (pw) => {
        expect(redact(`dial postgres://me:${pw}@db/arena: refused`)).not.toContain(pw);
      }),
    );
  });
});
