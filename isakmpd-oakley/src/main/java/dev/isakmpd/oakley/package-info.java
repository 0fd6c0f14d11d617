/**
 * IKEv1 cryptographic core (RFC 2409, RFC 2412 and the later group RFCs): every IKEv1
 * Diffie-Hellman group (MODP, ECP, curve25519/448, legacy EC2N) with strict peer-value
 * validation, HMAC PRFs, the phase-1 CBC ciphers, and the phase-1 / Quick Mode key and IV
 * derivations for every authentication method. {@link dev.isakmpd.oakley.IkeCrypto} is the
 * facade for protocol code. No I/O and no logging: secrets are wrapped in
 * {@link dev.isakmpd.oakley.SecretBytes} and only ever rendered as fingerprints.
 * See docs/oakley.md.
 */
package dev.isakmpd.oakley;
