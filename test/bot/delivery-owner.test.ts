import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { localOwner, ownerIsGone } from '../../bot/delivery/owner.ts';

describe('a delivery owner that is gone', () => {
  it('is a killed process on this host; never this process, a live one, another host or another form', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const owner = `${hostname()}:${child.pid}`;
    expect(ownerIsGone(owner)).toBe(false);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(ownerIsGone(owner)).toBe(true);
    expect(ownerIsGone(localOwner())).toBe(false);
    expect(ownerIsGone(`another-host.example:${child.pid}`)).toBe(false);
    expect(ownerIsGone('worker-7')).toBe(false);
    expect(ownerIsGone(`${hostname()}:not-a-pid`)).toBe(false);
    expect(ownerIsGone(null)).toBe(false);
  });
});
