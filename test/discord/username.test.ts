import { describe, expect, it } from 'vitest';
import { safeWebhookUsername } from '../../bot/discord/username.ts';

describe('safeWebhookUsername', () => {
  it('keeps an ordinary persona name', () => {
    expect(safeWebhookUsername('Chris Oh')).toBe('Chris Oh');
    expect(safeWebhookUsername('김민준')).toBe('김민준');
  });

  it('removes "discord" and "clyde" in any case, even when hidden or nested', () => {
    expect(safeWebhookUsername('Discord Dan')).toBe('Dan');
    expect(safeWebhookUsername('CLYDE the bot')).toBe('the bot');
    expect(safeWebhookUsername('disDISCORDcord fan')).toBe('fan');
    expect(safeWebhookUsername('dis\u200bcord mod')).toBe('mod');
    expect(safeWebhookUsername('Ｄｉｓｃｏｒｄ Kim')).toBe('Kim');
  });

  it('caps at 80 characters without splitting an emoji', () => {
    const long = `${'N'.repeat(79)}😀tail`;
    const out = safeWebhookUsername(long);
    expect(out.length).toBeLessThanOrEqual(80);
    expect(out).toBe('N'.repeat(79));
    expect(safeWebhookUsername('x'.repeat(200))).toHaveLength(80);
  });

  it('never returns an empty or reserved name', () => {
    expect(safeWebhookUsername('discord')).toBe('Arena persona');
    expect(safeWebhookUsername('   ')).toBe('Arena persona');
    expect(safeWebhookUsername('everyone')).toBe('Arena persona');
    expect(safeWebhookUsername('@here')).toBe('Arena persona');
    expect(safeWebhookUsername('clyde', 'Sarah Park')).toBe('Sarah Park');
  });

  it('drops characters that would form mentions or markup', () => {
    expect(safeWebhookUsername('Alex @everyone Kim')).toBe('Alex everyone Kim');
    expect(safeWebhookUsername('a`b:c#d')).toBe('abcd');
  });
});
