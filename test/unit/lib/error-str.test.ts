// djb's words for errno values, from the one-string table: by code, by number (either sign), the
// first name of a shared number winning, words with spaces kept whole, anything else unknown.
import { constants } from 'node:os';
import { describe, expect, test } from 'vitest';
import { errorStr, errorWords } from '../../../src/lib/error-str.js';

const { errno } = constants;

describe('errorWords', () => {
  test.each([
    [{ code: 'ENOENT' }, 'file does not exist'],
    [{ code: 'EINTR' }, 'interrupted system call'],
    [{ code: 'EDQUOT' }, 'disk quota exceeded'],
    [{ code: 'ESTALE' }, 'stale NFS file handle'],
    [{ code: 'EACCES', errno: -errno.EACCES }, 'access denied'],
    // EWOULDBLOCK is EAGAIN's number on Linux: the first name listed, EAGAIN, gives the words.
    [{ code: 'EWOULDBLOCK' }, errno.EWOULDBLOCK === errno.EAGAIN ? 'temporary failure' : 'input/output would block'],
    [{ code: 'ENOTACODE', errno: -errno.EPIPE }, 'broken pipe'],
    [{ code: 'ENOTACODE' }, 'unknown error'],
    [new Error('no code'), 'unknown error'],
    ['a string', 'unknown error'],
    [null, 'unknown error'],
  ])('%j: %s', (err, words) => {
    expect(errorWords(err)).toBe(words);
  });
});

describe('errorStr', () => {
  test.each([
    [0, 'no error'],
    [errno.ENOENT, 'file does not exist'],
    [-errno.ENOENT, 'file does not exist'],
    [errno.EAGAIN, 'temporary failure'],
    [errno.ENOSPC, 'out of disk space'],
    [99999, 'unknown error'],
  ])('%d: %s', (n, words) => {
    expect(errorStr(n)).toBe(words);
  });
});
