/** Bot scopes the arena uses, as bot/slack/manifest.yml asks for them. */
export const REQUIRED_SCOPES = [
  'commands',
  'chat:write',
  // Persona names and avatars: without it Slack silently posts everything under the bot's name.
  'chat:write.customize',
  'channels:history',
  'groups:history',
  'files:write',
  'users:read',
] as const;

/** Scopes missing from the `x-oauth-scopes` header WebClient exposes as `response_metadata.scopes`. */
export function missingScopes(granted: readonly string[] | undefined): string[] {
  const have = new Set(granted ?? []);
  return REQUIRED_SCOPES.filter((s) => !have.has(s));
}

export class SlackSetupError extends Error {
  override name = 'SlackSetupError';
}

export function scopeError(missing: string[]): SlackSetupError {
  return new SlackSetupError(
    `the Slack bot token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} under OAuth & Permissions (or recreate the app from bot/slack/manifest.yml) and reinstall the app`,
  );
}
