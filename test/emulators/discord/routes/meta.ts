import type { EmulatorContext } from '../context.ts';
import type { Route } from '../http-server.ts';
import { userJson } from '../serialize.ts';

/** Gateway discovery and the bot's own user and application. */
export function metaRoutes(ctx: EmulatorContext, gatewayUrl: () => string): Route[] {
  const { world } = ctx;
  return [
    {
      method: 'GET',
      pattern: '/gateway',
      spec: '/gateway',
      auth: 'none',
      handle: () => ({ status: 200, body: { url: gatewayUrl() } }),
    },
    {
      method: 'GET',
      pattern: '/gateway/bot',
      spec: '/gateway/bot',
      auth: 'bot',
      handle: () => ({
        status: 200,
        body: {
          url: gatewayUrl(),
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/users/@me',
      spec: '/users/@me',
      auth: 'bot',
      handle: () => ({
        status: 200,
        body: {
          ...userJson(world.botUser),
          mfa_enabled: false,
          locale: 'en-US',
          verified: true,
          email: null,
        },
      }),
    },
    {
      method: 'GET',
      pattern: '/applications/@me',
      spec: '/applications/@me',
      auth: 'bot',
      handle: () => ({
        status: 200,
        body: {
          id: world.applicationId,
          name: world.botUser.username,
          icon: null,
          description: '',
          type: null,
          verify_key: '0'.repeat(64),
          flags: 1 << 18,
          flags_new: String(1 << 18),
          redirect_uris: [],
          interactions_endpoint_url: null,
          role_connections_verification_url: null,
          owner: userJson(world.users.get(world.guild.ownerId) ?? world.botUser),
          approximate_guild_count: 1,
          approximate_user_install_count: 0,
          approximate_user_authorization_count: 0,
          explicit_content_filter: 0,
          team: null,
          eligible_oauth2_scopes: ['bot', 'applications.commands'],
          bot_public: false,
          bot_require_code_grant: false,
          bot: { ...userJson(world.botUser) },
        },
      }),
    },
  ];
}
