import type { WebClient } from '@slack/web-api';

export interface SlackPerson {
  id: string;
  displayName: string;
  /** Workspace admin or owner, or listed in SLACK_MANAGERS. */
  canManage: boolean;
}

// Names and roles change rarely; a few minutes of staleness is fine for permissions and labels.
const TTL_MS = 5 * 60_000;

/** `users.info`, cached: who someone is and whether they may manage debates. */
export function createPeople(client: WebClient, managers: readonly string[]) {
  const cache = new Map<string, { at: number; person: SlackPerson }>();
  const managerIds = new Set(managers);
  return async (id: string): Promise<SlackPerson> => {
    const hit = cache.get(id);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.person;
    let person: SlackPerson = { id, displayName: id, canManage: managerIds.has(id) };
    try {
      const { user } = await client.users.info({ user: id });
      const name = user?.profile?.display_name || user?.real_name || user?.name || id;
      person = {
        id,
        displayName: name,
        canManage: managerIds.has(id) || !!user?.is_admin || !!user?.is_owner,
      };
    } catch {
      // Unknown to users.info (or Slack is down): no extra rights, the id as a name; not cached.
      return person;
    }
    cache.set(id, { at: Date.now(), person });
    return person;
  };
}
