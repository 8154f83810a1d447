/**
 * file-names: the names of database files (format facts), round trips through parseFileName, and foreign names
 * that must not be mistaken for ours.
 */
import { describe, expect, it } from 'vitest';
import {
  CURRENT_FILE,
  INFO_LOG_FILE,
  LOCK_FILE,
  logFileName,
  manifestFileName,
  parseFileName,
  tableFileName,
  tempFileName,
} from '../../src/base/file-names.js';

describe('file names', () => {
  it('pads numbers to six digits and grows beyond', () => {
    expect(logFileName(7)).toBe('000007.log');
    expect(tableFileName(123456)).toBe('123456.sst');
    expect(tableFileName(1234567)).toBe('1234567.sst');
    expect(manifestFileName(1)).toBe('MANIFEST-000001');
    expect(tempFileName(42)).toBe('000042.dbtmp');
    expect([CURRENT_FILE, LOCK_FILE, INFO_LOG_FILE]).toEqual(['CURRENT', 'LOCK', 'LOG']);
  });

  it('round-trips every numbered kind, including large numbers', () => {
    for (const n of [0, 1, 999_999, 1_000_000, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      expect(parseFileName(logFileName(n))).toEqual({ type: 'log', number: n });
      expect(parseFileName(tableFileName(n))).toEqual({ type: 'table', number: n });
      expect(parseFileName(manifestFileName(n))).toEqual({ type: 'manifest', number: n });
      expect(parseFileName(tempFileName(n))).toEqual({ type: 'temp', number: n });
    }
  });

  it('parses the fixed names', () => {
    expect(parseFileName('CURRENT')).toEqual({ type: 'current', number: 0 });
    expect(parseFileName('LOCK')).toEqual({ type: 'lock', number: 0 });
    expect(parseFileName('LOG')).toEqual({ type: 'infolog', number: 0 });
  });

  it('accepts unpadded numbers written by hand', () => {
    expect(parseFileName('5.sst')).toEqual({ type: 'table', number: 5 });
  });

  it('returns undefined for foreign names', () => {
    const foreign = [
      '', 'current', 'CURRENT.bak', 'LOCK2', 'LOG.old', 'MANIFEST-', 'MANIFEST-abc', 'MANIFEST-12x', 'manifest-000001',
      'xMANIFEST-000001', '.sst', 'abc.sst', '000001.SST', '000001.ldb', '000001.log.1', '-1.log', '1.5.sst',
      '000001.sst ', ' 000001.sst', '000001.tmp', '000001', 'README.md', '.DS_Store', '000001.sst/x',
    ];
    for (const name of foreign) expect(parseFileName(name), JSON.stringify(name)).toBeUndefined();
  });
});
