import { inflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { avatarInitials, avatarUrlFor, builtinCatalog, renderAvatar } from '../../personas/index.ts';
import { crc32 } from '../../personas/png.ts';

const catalog = await builtinCatalog();
const MiB = 1024 * 1024;

interface Chunk {
  type: string;
  data: Buffer;
}

function readChunks(png: Buffer): Chunk[] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length), `CRC of ${type}`).toBe(
      crc32(png.subarray(at + 4, at + 8 + length)),
    );
    chunks.push({ type, data });
    at += 12 + length;
  }
  return chunks;
}

describe('renderAvatar', () => {
  it('writes a well-formed PNG whose pixel data matches the IHDR dimensions', () => {
    for (const size of [128, 256, 512]) {
      const chunks = readChunks(renderAvatar(catalog[0]!, size));
      expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
      const ihdr = chunks[0]!.data;
      expect(ihdr.readUInt32BE(0)).toBe(size);
      expect(ihdr.readUInt32BE(4)).toBe(size);
      expect([...ihdr.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
      const raw = inflateSync(chunks[1]!.data);
      expect(raw.length).toBe((size * 3 + 1) * size);
      for (let y = 0; y < size; y++) expect(raw[y * (size * 3 + 1)]).toBe(0);
    }
  });

  it('stays within Discord limits: under 1 MiB and at least 128 px', () => {
    expect(renderAvatar(catalog[0]!, 1024).length).toBeLessThan(MiB);
    expect(() => renderAvatar(catalog[0]!, 127)).toThrow(RangeError);
    expect(() => renderAvatar(catalog[0]!, 2048)).toThrow(RangeError);
  });

  it('gives every persona different bytes, in its own colour', () => {
    const pngs = catalog.map((p) => renderAvatar(p).toString('base64'));
    expect(new Set(pngs).size).toBe(catalog.length);
    const alex = catalog.find((p) => p.id === 'dev_optimistic')!;
    const pixels = inflateSync(readChunks(renderAvatar(alex, 128))[1]!.data);
    const hasInk = [...Array(128 * 128).keys()].some((i) => {
      const o = Math.floor(i / 128) * (128 * 3 + 1) + 1 + (i % 128) * 3;
      return pixels[o] === 0x00 && pixels[o + 1] === 0xff && pixels[o + 2] === 0x88;
    });
    expect(hasInk).toBe(true);
  });

  it('is deterministic across processes, not just through its cache', async () => {
    const first = Buffer.from(renderAvatar(catalog[3]!));
    vi.resetModules();
    const fresh = await import('../../personas/avatar.ts');
    const second = fresh.renderAvatar(catalog[3]!);
    expect(second).not.toBe(renderAvatar(catalog[3]!));
    expect(second.equals(first)).toBe(true);
  });

  it('changes when the colour changes, even for the same id', () => {
    const alex = catalog[0]!;
    expect(renderAvatar({ ...alex, color: '#123456' }).equals(renderAvatar(alex))).toBe(false);
  });
});

describe('avatar helpers', () => {
  it('take initials from the name, skipping titles, else from the handle', () => {
    expect(avatarInitials({ name: 'Alex Kim', handle: 'OptimisticDev' })).toBe('AK');
    expect(avatarInitials({ name: 'Dr. Hyun Cho', handle: 'TechDomainExpert' })).toBe('HC');
    expect(avatarInitials({ name: '김민수', handle: 'MinsuKim' })).toBe('MK');
    expect(avatarInitials({ name: 'Prince', handle: 'Prince' })).toBe('P');
  });

  it('use the persona avatarUrl when set, else the dashboard path', () => {
    expect(avatarUrlFor({ id: 'dev_optimistic' }, 'https://arena.example/')).toBe(
      'https://arena.example/avatars/dev_optimistic.png',
    );
    expect(avatarUrlFor({ id: 'x', avatarUrl: 'https://cdn.example/x.png' }, 'https://arena.example')).toBe(
      'https://cdn.example/x.png',
    );
  });
});
