/**
 * IKEv1 cryptographic core (RFC 2409, RFC 2412 groups): MODP Diffie-Hellman groups 2 and 14,
 * the HMAC prf, CBC ciphers for ISAKMP payloads, and the phase-1 / Quick Mode key and IV
 * derivations. No I/O and no logging: secrets are wrapped in {@link dev.isakmpd.oakley.SecretBytes}
 * and only ever rendered as fingerprints.
 */
package dev.isakmpd.oakley;
