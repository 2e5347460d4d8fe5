import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveServerKey, exportPublicKeyRaw, generateEventKeyPair, importPrivateKeyPem, importPublicKeyRaw, openPrivateKey, sealPrivateKey, SealedKeyError } from './keys.ts';

const serverKey = deriveServerKey('a server secret that is at least thirty-two bytes long');

describe('event key pairs', () => {
  it('publishes the public key as 32 raw bytes, base64url, that verifies what the private key signs', () => {
    const pair = generateEventKeyPair();
    expect(pair.publicKeyRaw).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(pair.publicKeyRaw, 'base64url')).toHaveLength(32);
    const signature = sign(null, Buffer.from('hello'), importPrivateKeyPem(pair.privateKeyPem));
    expect(verify(null, Buffer.from('hello'), importPublicKeyRaw(pair.publicKeyRaw), signature)).toBe(true);
  });

  it('refuses a public key that is not 32 bytes of base64url, and keys that are not Ed25519', () => {
    expect(() => importPublicKeyRaw('too-short')).toThrow(/32 bytes/);
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => exportPublicKeyRaw(publicKey)).toThrow(/Ed25519/);
    expect(() => importPrivateKeyPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/Ed25519/);
  });
});

describe('sealPrivateKey and openPrivateKey', () => {
  it('round-trips a private key, sealed as v1.<iv>.<tag>.<ciphertext> with a fresh iv each time', () => {
    const { privateKeyPem } = generateEventKeyPair();
    const sealed = sealPrivateKey(privateKeyPem, serverKey);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(openPrivateKey(sealed, serverKey)).toBe(privateKeyPem);
    expect(sealPrivateKey(privateKeyPem, serverKey)).not.toBe(sealed);
  });

  it('refuses to open with the wrong server key', () => {
    const sealed = sealPrivateKey(generateEventKeyPair().privateKeyPem, serverKey);
    const otherKey = deriveServerKey('another server secret, also thirty-two bytes or more');
    expect(() => openPrivateKey(sealed, otherKey)).toThrow(SealedKeyError);
    expect(() => openPrivateKey(sealed, otherKey)).toThrow(/wrong server key, or the blob was altered/);
  });

  it('refuses a tampered ciphertext, tag or iv, and a blob that is not a sealed key', () => {
    const sealed = sealPrivateKey(generateEventKeyPair().privateKeyPem, serverKey);
    const parts = sealed.split('.');
    for (const i of [1, 2, 3]) {
      const bytes = Buffer.from(parts[i]!, 'base64url');
      bytes[0]! ^= 1;
      const tampered = parts.map((p, j) => (j === i ? bytes.toString('base64url') : p)).join('.');
      expect(() => openPrivateKey(tampered, serverKey)).toThrow(SealedKeyError);
    }
    expect(() => openPrivateKey(['v2', ...parts.slice(1)].join('.'), serverKey)).toThrow(/must read v1/);
    expect(() => openPrivateKey('not a sealed key', serverKey)).toThrow(SealedKeyError);
  });

  it('refuses a server secret too short to derive a key from, and a server key that is not 32 bytes', () => {
    expect(() => deriveServerKey('short')).toThrow(/at least 32 bytes/);
    expect(() => sealPrivateKey(generateEventKeyPair().privateKeyPem, randomBytes(16))).toThrow(/32 bytes/);
    expect(deriveServerKey(randomBytes(32))).toHaveLength(32);
  });
});
