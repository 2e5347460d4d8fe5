import { describe, expect, it } from 'vitest';
import { backLengthMax, safeBack, sameOriginPath, signinPath } from './paths.ts';

/** Each of these, taken as a Location, sends a browser to another site (or runs script): all must be refused. */
const offSite: [string, string][] = [
  ['protocol-relative', '//evil.example'],
  ['protocol-relative with path', '//evil.example/signin'],
  ['three slashes', '///evil.example'],
  ['slash backslash', '/\\evil.example'],
  ['backslash slash', '\\/evil.example'],
  ['two backslashes', '\\\\evil.example'],
  ['slash tab slash (the finding)', '/\t/evil.example/'],
  ['slash newline slash', '/\n/evil.example'],
  ['slash carriage return slash', '/\r/evil.example'],
  ['tab before the slashes', '\t//evil.example'],
  ['null byte', '/\u0000/evil.example'],
  ['DEL', '/\u007f/evil.example'],
  ['encoded slashes', '/%2F%2Fevil.example'],
  ['encoded slashes, lower case', '/%2f%2fevil.example'],
  ['encoded second slash', '/%2Fevil.example'],
  ['encoded backslash', '/%5Cevil.example'],
  ['encoded tab', '/%09/evil.example'],
  ['encoded newline', '/%0A/evil.example'],
  ['dot segment folding into //', '/.//evil.example'],
  ['parent segment folding into //', '/a/..//evil.example'],
  ['encoded dots folding into //', '/%2e/%2e//evil.example'],
  ['absolute https', 'https://evil.example'],
  ['absolute http', 'http://evil.example/path'],
  ['scheme without slashes', 'https:evil.example'],
  ['javascript', 'javascript:alert(1)'],
  ['javascript after a slash-looking prefix', 'javascript://%0Aalert(1)'],
  ['data', 'data:text/html,<script>alert(1)</script>'],
  ['relative path', 'evil.example'],
  ['malformed escape', '/%E0%A4%A'],
  ['empty', ''],
  ['too long', '/' + 'a'.repeat(backLengthMax)],
];

describe('the way back after a form stays on this site', () => {
  it.each(offSite)('refuses %s', (_name, value) => {
    expect(sameOriginPath(value)).toBeNull();
    expect(safeBack(value)).toBe('/');
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 42, ['/tickets'], { path: '/tickets' }]) expect(sameOriginPath(value)).toBeNull();
  });

  it('keeps a path of this site with its query and fragment', () => {
    expect(sameOriginPath('/')).toBe('/');
    expect(sameOriginPath('/tickets')).toBe('/tickets');
    expect(sameOriginPath('/events/8c3e?admitted=1#types')).toBe('/events/8c3e?admitted=1#types');
    expect(sameOriginPath('/orders/1?next=%2F%2Fevil.example')).toBe('/orders/1?next=%2F%2Fevil.example');
  });

  it('normalises what it keeps, so the Location header is plain ASCII', () => {
    expect(sameOriginPath('/événements')).toBe('/%C3%A9v%C3%A9nements');
    expect(sameOriginPath('/a/../tickets')).toBe('/tickets');
    expect(sameOriginPath('/search?q=a b')).toBe('/search?q=a%20b');
  });

  it('falls back to the given page', () => {
    expect(safeBack('//evil.example', '/organizer')).toBe('/organizer');
    expect(safeBack('/scan', '/organizer')).toBe('/scan');
  });
});

describe('the sign-in link back to a page', () => {
  it('names the page and its query', () => {
    expect(signinPath(new URL('http://shop.example/tickets'))).toBe('/signin?next=%2Ftickets');
    expect(signinPath(new URL('http://shop.example/events/1?admitted=1'))).toBe('/signin?next=%2Fevents%2F1%3Fadmitted%3D1');
  });

  it('says the session ended when it did, so the form can tell the person why they are signed out', () => {
    expect(signinPath(new URL('http://shop.example/account'), { ended: true })).toBe('/signin?next=%2Faccount&ended=1');
    expect(signinPath(new URL('http://shop.example/'), { ended: true })).toBe('/signin?ended=1');
  });

  it('leaves out a form action, so coming back is not a repeated POST', () => {
    expect(signinPath(new URL('http://shop.example/holds/7?/checkout'))).toBe('/signin?next=%2Fholds%2F7');
  });

  it('never names another site', () => {
    expect(signinPath(new URL('http://shop.example//evil.example/x'))).toBe('/signin');
    expect(signinPath(new URL('http://shop.example/'))).toBe('/signin');
  });
});
