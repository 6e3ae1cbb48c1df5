import { createSecretBox } from '../../db/secrets/secret-box.ts';

/** One secret box for tests (scrypt runs once): stored webhook tokens are sealed with it. */
export const testSecrets = createSecretBox('arena-test-secret-key-0123456789');
