import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/base/errors.js';
import { readCurrent, setCurrent } from '../../src/manifest/manifest-files.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { expectCorruption } from '../log/expect-corruption.js';

function setup(): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed: 2 });
  vfs.mkdir('/db');
  return vfs;
}

function writeCurrent(vfs: FaultInjectionVfs, text: string): void {
  const f = vfs.openWritable('/db/CURRENT');
  f.append(Buffer.from(text, 'latin1'));
  f.close();
}

describe('CURRENT', () => {
  it('readCurrent is undefined when there is no CURRENT', () => {
    expect(readCurrent(setup(), '/db')).toBeUndefined();
  });

  it('setCurrent writes MANIFEST-NNNNNN and a newline, through a temp file that is gone afterwards', () => {
    const vfs = setup();
    setCurrent(vfs, '/db', 7, 8);
    expect(vfs.readFile('/db/CURRENT').toString()).toBe('MANIFEST-000007\n');
    expect(readCurrent(vfs, '/db')).toBe('MANIFEST-000007');
    expect(vfs.list('/db')).toEqual(['CURRENT']);
    setCurrent(vfs, '/db', 1234567, 9);
    expect(readCurrent(vfs, '/db')).toBe('MANIFEST-1234567');
  });

  it('setCurrent is durable: it survives a power loss', () => {
    const vfs = setup();
    setCurrent(vfs, '/db', 3, 4);
    expect(readCurrent(vfs.crash(), '/db')).toBe('MANIFEST-000003');
  });

  it('a crash at any point of setCurrent leaves the old or the new CURRENT, never a damaged one', () => {
    for (let after = 0; after < 12; after++) {
      for (const op of ['append', 'sync', 'rename', 'syncDir', 'openWritable'] as const) {
        const vfs = setup();
        setCurrent(vfs, '/db', 3, 4);
        vfs.injectError({ op, after: after % 2 });
        try {
          setCurrent(vfs, '/db', 5, 6);
        } catch (e) {
          expect((e as { code: string }).code).toBe(ErrorCode.IO_ERROR);
        }
        const got = readCurrent(vfs.crash({ unsynced: 'random-prefix', dirEntries: 'random' }), '/db');
        expect(['MANIFEST-000003', 'MANIFEST-000005']).toContain(got);
      }
    }
  });

  it('a failed rename removes the temp file and reports the error', () => {
    const vfs = setup();
    vfs.injectError({ op: 'rename' });
    expect(() => setCurrent(vfs, '/db', 5, 6)).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
    expect(vfs.list('/db')).toEqual([]);
  });

  it('readCurrent rejects anything but MANIFEST-<digits> and one newline as CORRUPTION', () => {
    for (const text of [
      '',
      'MANIFEST-000001',
      'MANIFEST-000001\n\n',
      'MANIFEST-\n',
      'manifest-000001\n',
      ' MANIFEST-000001\n',
      'MANIFEST-000001 \n',
      'MANIFEST-00000x\n',
      'MANIFEST-000001\r\n',
      '/MANIFEST-000001\n',
    ]) {
      const vfs = setup();
      writeCurrent(vfs, text);
      expect(expectCorruption(() => readCurrent(vfs, '/db'), 'CURRENT').message).toContain('MANIFEST-<number>');
    }
  });
});
