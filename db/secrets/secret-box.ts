import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';

/**
 * AES-256-GCM for secrets the app must store (Discord webhook tokens): each value gets a fresh
 * 96-bit IV, and the 128-bit tag makes a wrong key or a tampered row fail loudly, never decrypt to
 * garbage. Stored form: `enc:v1:<iv>:<ciphertext+tag>` in base64url, so plaintext left by an older
 * version is told apart and can be sealed in place.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws SecretBoxError when the value was sealed with another key or altered. */
  open(stored: string): string;
  isSealed(stored: string): boolean;
  /** A short, non-reversible id of the key, for messages ("key 3fa2…"). */
  readonly keyId: string;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Fixed salt: the key must be the same on every process that shares the database.
const SALT = 'agentic-arena/secret-box/v1';
export const SECRET_KEY_MIN_CHARS = 16;

/**
 * A box for a key given as text (ARENA_SECRET_KEY, or the generated key file). The text is
 * stretched with scrypt, so a memorable passphrase is not a weak AES key.
 */
export function createSecretBox(keyText: string): SecretBox {
  if (keyText.length < SECRET_KEY_MIN_CHARS) {
    throw new SecretBoxError(`the secret key must have at least ${SECRET_KEY_MIN_CHARS} characters`);
  }
  const key = scryptSync(keyText, SALT, 32);
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return {
    keyId,
    isSealed: (stored) => stored.startsWith(PREFIX),
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(stored) {
      if (!stored.startsWith(PREFIX)) throw new SecretBoxError('the value is not sealed');
      const [ivText, bodyText, extra] = stored.slice(PREFIX.length).split(':');
      const iv = Buffer.from(ivText ?? '', 'base64url');
      const body = Buffer.from(bodyText ?? '', 'base64url');
      if (extra !== undefined || iv.length !== IV_BYTES || body.length < TAG_BYTES) {
        throw new SecretBoxError('the sealed value is malformed');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new SecretBoxError(`the value was sealed with another key than ${keyId}, or altered`);
      }
    },
  };
}
