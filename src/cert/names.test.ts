import { describe, expect, it } from 'vitest';
import { coversName } from './manager.js';
import { checkCertificateNames } from './names.js';

describe('checkCertificateNames', () => {
  it.each([
    [['home.example.test'], ['home.example.test']],
    [['Home.Example.Test.'], ['home.example.test']],
    [['  home.example.test  '], ['home.example.test']],
    [['*.example.test'], ['*.example.test']],
    [['*.Example.Test'], ['*.example.test']],
    [['  *.example.test '], ['*.example.test']],
    [
      ['home.example.test', 'HOME.example.test', '*.example.test', '*.EXAMPLE.test'],
      ['home.example.test', '*.example.test'],
    ],
    [['café.example.test'], ['xn--caf-dma.example.test']],
    [
      ['b.example.test', 'a.example.test'],
      ['b.example.test', 'a.example.test'],
    ],
  ])('%j → %j', (input, output) => {
    expect(checkCertificateNames(input)).toEqual({ ok: true, value: output });
  });

  it.each([
    [['home example'], 'names.0: "home example" may hold only letters'],
    [['ok.example.test', 'localhost'], 'names.1: "localhost" is not a fully qualified domain name'],
    [['*.localhost'], 'names.0: "localhost" is not a fully qualified domain name'],
    [['home.*.example.test'], 'names.0: '],
    [['*home.example.test'], 'names.0: '],
    [['a*.example.test'], 'names.0: '],
    [['**.example.test'], 'names.0: '],
    [['203.0.113.1'], 'names.0: "203.0.113.1" is an IP address'],
    [[''], 'names.0: is empty'],
    [[], 'names: give at least one name'],
  ])('%j is refused: %s', (input, start) => {
    const r = checkCertificateNames(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.startsWith(start), r.error).toBe(true);
  });

  it('refuses a wildcard anywhere but the whole first label with the hostname rule’s words', () => {
    for (const name of ['home.*.example.test', 'x*y.example.test', '*x.example.test', '*'])
      expect(checkCertificateNames([name])).toEqual({
        ok: false,
        error: expect.stringMatching(/^names\.0: .*may hold only letters, digits, hyphens and dots$/),
      });
  });
});

describe('coversName (SNI)', () => {
  it.each([
    [['home.example.test'], 'home.example.test', true],
    [['home.example.test'], 'HOME.example.test.', true],
    [['home.example.test'], 'nas.example.test', false],
    [['home.example.test'], 'example.test', false],
    [['*.example.test'], 'cam.example.test', true],
    [['*.example.test'], 'CAM.Example.Test', true],
    [['*.example.test'], 'example.test', false],
    [['*.example.test'], 'a.cam.example.test', false],
    [['*.example.test'], '.example.test', false],
    [['*.example.test'], 'cam.example.testx', false],
    [['home.example.test', '*.home.example.test'], 'cam.home.example.test', true],
    [[], 'home.example.test', false],
  ])('%j covers %s: %s', (names, host, covered) => {
    expect(coversName(names, host)).toBe(covered);
  });
});
