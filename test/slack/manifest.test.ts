import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REQUIRED_SCOPES } from '../../bot/slack/scopes.ts';

describe('bot/slack/manifest.yml', () => {
  const manifest = parse(readFileSync(new URL('../../bot/slack/manifest.yml', import.meta.url), 'utf8'));

  it('asks for every scope the startup check requires, and the events the bot listens to', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...REQUIRED_SCOPES].sort());
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(
      expect.arrayContaining(['message.channels', 'message.groups']),
    );
  });

  it('sends commands, events and interactivity to /slack/events', () => {
    expect(manifest.features.slash_commands[0].command).toBe('/arena');
    for (const url of [
      manifest.features.slash_commands[0].url,
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ])
      expect(new URL(url).pathname).toBe('/slack/events');
  });
});
