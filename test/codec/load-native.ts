/**
 * load-native — the native codec for the codec test files, or why it is unavailable (they skip their native
 * cases, printing the reason, when the addon is not built). Test helper, not a test.
 */

import type { Codec } from '../../src/codec/codec.js';
import { codecFor } from '../../src/codec/loader.js';

export function loadNativeForTests(suite: string): Codec | undefined {
  try {
    return codecFor('native');
  } catch (e) {
    console.warn(`${suite} skipped: ${(e as Error).message}`);
    return undefined;
  }
}
