/**
 * The status numbers in native/status.h agree with their TypeScript mirrors: CodecStatus (codec.ts) and
 * NativeArgStatus (native-codec.ts). Reads the header as text, so it runs without a build; when the addon is
 * built it also checks the numbers compiled into it. Every argument status has an error message.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CodecStatus } from '../../src/codec/codec.js';
import { checkStatusNumbers, codecFor, loadNativeCodec } from '../../src/codec/loader.js';
import { NativeArgStatus, nativeArgumentError } from '../../src/codec/native-codec.js';

const header = readFileSync(new URL('../../native/status.h', import.meta.url), 'utf8');

/** The enumerators of `enum class <name>` in status.h, renamed kBadRestartArray → BAD_RESTART_ARRAY. */
function enumOf(name: string): Record<string, number> {
  const body = new RegExp(`enum class ${name} : int32_t \\{([^}]*)\\}`).exec(header)?.[1];
  if (body === undefined) throw new Error(`status.h has no enum ${name}`);
  const out: Record<string, number> = {};
  for (const m of body.matchAll(/k(\w+) = (-?\d+),/g)) {
    const upper = m[1]!.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    out[upper] = Number(m[2]);
  }
  return out;
}

function nativeBuilt(): boolean {
  try {
    codecFor('native');
    return true;
  } catch {
    return false;
  }
}

describe('native/status.h', () => {
  it('CodecStatus matches codec.ts name for name', () => {
    expect(enumOf('CodecStatus')).toEqual({ ...CodecStatus });
  });

  it('ArgStatus matches NativeArgStatus (plus OK = 0), all negative', () => {
    const { OK, ...args } = enumOf('ArgStatus');
    expect(OK).toBe(0);
    expect(args).toEqual({ ...NativeArgStatus });
    for (const v of Object.values(args)) expect(v).toBeLessThan(0);
  });

  it('every argument status becomes a TypeError or RangeError with its own message', () => {
    const messages = new Set<string>();
    for (const v of Object.values(NativeArgStatus)) {
      const e = nativeArgumentError('f', v);
      expect(e instanceof TypeError || e instanceof RangeError).toBe(true);
      expect(e.message).not.toContain('unexpected status');
      messages.add(e.message);
    }
    expect(messages.size).toBe(Object.keys(NativeArgStatus).length);
  });

  it('a binary whose numbers differ (a stale build) is refused by the loader', () => {
    expect(checkStatusNumbers({ codecStatus: { ...CodecStatus } })).toBeUndefined();
    expect(checkStatusNumbers({ codecStatus: { ...CodecStatus, BAD_ENTRY_BOUNDS: 7 } })).toBe(
      'status BAD_ENTRY_BOUNDS is 7 in the addon, 4 in codec.ts',
    );
    expect(checkStatusNumbers({} as never)).toBe('the addon exports no codecStatus (stale build?)');
  });

  it.skipIf(!nativeBuilt())('the built addon carries the same CodecStatus numbers (the loader checks them)', () => {
    expect(() => loadNativeCodec()).not.toThrow();
  });
});
