import { hostname } from 'node:os';

/** This process as a delivery owner: `host:pid`. */
export function localOwner(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * True when `owner` names a process on this host that no longer exists (it was killed): its lease
 * may be taken at once instead of after it runs out. Anything else — another host, a live or
 * unknown process, an owner in another form — is false, and the lease is waited out.
 */
export function ownerIsGone(owner: string | null): boolean {
  if (!owner) return false;
  const at = owner.lastIndexOf(':');
  if (at <= 0 || owner.slice(0, at) !== hostname()) return false;
  const pid = Number(owner.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
