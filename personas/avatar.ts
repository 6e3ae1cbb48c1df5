import { createHash } from 'node:crypto';
import { AVATAR_MAX_SIZE, AVATAR_MIN_SIZE } from './constants.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph, hasGlyph } from './font.ts';
import { encodePng } from './png.ts';
import type { Persona } from './types.ts';

type Rgb = readonly [number, number, number];
type AvatarPersona = Pick<Persona, 'id' | 'name' | 'handle' | 'color'>;

// The dashboard's page background; avatars sit on it and in dark-mode chat clients.
const PAGE_BACKGROUND: Rgb = [0x0a, 0x0a, 0x0a];
const GRID = 5;

const cache = new Map<string, Buffer>();

/** The public URL of a persona's avatar: its own `avatarUrl`, else the dashboard's generated PNG. */
export function avatarUrlFor(persona: Pick<Persona, 'id' | 'avatarUrl'>, publicUrl: string): string {
  return (
    persona.avatarUrl ?? `${publicUrl.replace(/\/+$/, '')}/avatars/${encodeURIComponent(persona.id)}.png`
  );
}

/** Up to two initials the avatar font can draw: from the name, else from the handle's capitals. */
export function avatarInitials(persona: Pick<Persona, 'name' | 'handle'>): string {
  // Titles such as "Dr." are skipped so "Dr. Hyun Cho" reads HC.
  const words = persona.name.split(/\s+/).filter((w) => w !== '' && !w.endsWith('.'));
  const fromName = [words[0], words.length > 1 ? words[words.length - 1] : undefined]
    .map((w) => w?.charAt(0).toUpperCase() ?? '')
    .join('');
  if (fromName.length > 0 && [...fromName].every(hasGlyph)) return fromName;
  const capitals = [...persona.handle].filter((c) => c >= 'A' && c <= 'Z');
  const fromHandle =
    capitals.length > 1 ? capitals[0]! + capitals[capitals.length - 1]! : persona.handle.slice(0, 2);
  return [...fromHandle.toUpperCase()].filter(hasGlyph).join('');
}

/** A deterministic PNG avatar (identicon in the persona colour, initials on top), cached in memory. */
export function renderAvatar(persona: AvatarPersona, size = 256): Buffer {
  if (!Number.isInteger(size) || size < AVATAR_MIN_SIZE || size > AVATAR_MAX_SIZE) {
    throw new RangeError(`avatar size must be an integer from ${AVATAR_MIN_SIZE} to ${AVATAR_MAX_SIZE}`);
  }
  const initials = avatarInitials(persona);
  const key = `${persona.id}|${size}|${persona.color}|${initials}`;
  let png = cache.get(key);
  if (png === undefined) {
    png = encodePng(size, size, paint(persona, size, initials));
    cache.set(key, png);
  }
  return png;
}

function paint(persona: AvatarPersona, size: number, initials: string): Uint8Array {
  const ink = parseColor(persona.color);
  const background = mix(ink, PAGE_BACKGROUND, 0.1);
  const tile = mix(ink, PAGE_BACKGROUND, 0.42);
  const canvas = new Canvas(size, background);

  // Identicon: a 5×5 grid mirrored left-right, cells switched on by bits of the id's hash.
  const hash = createHash('sha256').update(persona.id).digest();
  const cell = Math.floor((size * 0.84) / GRID);
  const origin = Math.floor((size - cell * GRID) / 2);
  const gap = Math.max(1, Math.round(cell * 0.06));
  for (let row = 0; row < GRID; row++) {
    for (let col = 0; col < Math.ceil(GRID / 2); col++) {
      if ((hash[row * 3 + col]! & 1) === 0) continue;
      for (const c of new Set([col, GRID - 1 - col])) {
        canvas.fill(origin + c * cell + gap, origin + row * cell + gap, cell - 2 * gap, cell - 2 * gap, tile);
      }
    }
  }

  if (initials === '') return canvas.pixels;
  // Initials on a dark panel with a border, kept inside the circle chat clients crop avatars to.
  const units = initials.length * GLYPH_WIDTH + (initials.length - 1);
  const scale = Math.max(1, Math.floor((size * 0.42) / (2 * GLYPH_WIDTH + 1)));
  const textW = units * scale;
  const textH = GLYPH_HEIGHT * scale;
  const pad = 2 * scale;
  const border = Math.max(2, Math.floor(scale / 2));
  const panelX = Math.floor((size - textW) / 2) - pad;
  const panelY = Math.floor((size - textH) / 2) - pad;
  canvas.fill(panelX, panelY, textW + 2 * pad, textH + 2 * pad, ink);
  canvas.fill(
    panelX + border,
    panelY + border,
    textW + 2 * pad - 2 * border,
    textH + 2 * pad - 2 * border,
    background,
  );
  [...initials].forEach((ch, i) => {
    const rows = glyph(ch) ?? [];
    rows.forEach((cells, gy) => {
      cells.forEach((on, gx) => {
        if (on)
          canvas.fill(
            panelX + pad + (i * (GLYPH_WIDTH + 1) + gx) * scale,
            panelY + pad + gy * scale,
            scale,
            scale,
            ink,
          );
      });
    });
  });
  return canvas.pixels;
}

class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly size: number,
    background: Rgb,
  ) {
    this.pixels = new Uint8Array(size * size * 3);
    this.fill(0, 0, size, size, background);
  }

  fill(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
    const x0 = Math.max(0, x);
    const x1 = Math.min(this.size, x + w);
    for (let yy = Math.max(0, y); yy < Math.min(this.size, y + h); yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.size + xx) * 3;
        this.pixels[i] = r;
        this.pixels[i + 1] = g;
        this.pixels[i + 2] = b;
      }
    }
  }
}

function parseColor(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

function mix(a: Rgb, b: Rgb, amountOfA: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! * amountOfA + b[i]! * (1 - amountOfA))) as unknown as Rgb;
}
