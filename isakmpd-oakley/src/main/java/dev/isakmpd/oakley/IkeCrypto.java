package dev.isakmpd.oakley;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The cryptography the IKE exchanges need, behind one small interface (in the spirit of Bouncy
 * Castle TLS's {@code TlsCrypto}): algorithm lookup by IKE attribute value with the local
 * policy for legacy algorithms applied, the negotiated primitives, and randomness. Nothing in
 * this interface or in the types it returns exposes a Bouncy Castle type, so the protocol code
 * in isakmpd-core never depends on the provider. Two implementations: {@link #bouncyCastle}, the
 * default, and {@link #accp}, which computes what AWS-LC does faster natively and the rest as
 * the first does. Both give the same bytes for every deterministic operation.
 */
public interface IkeCrypto {
    /** The Bouncy Castle provider. {@code allowLegacy} enables DES and the EC2N groups 3 and 4. */
    static IkeCrypto bouncyCastle(SecureRandom random, boolean allowLegacy) {
        return new BcIkeCrypto(random, allowLegacy);
    }

    /**
     * Amazon Corretto Crypto Provider (AWS-LC) for ECDH on groups 19-21, RSA and ECDSA
     * signatures and HMAC; Bouncy Castle for everything else. AWS-LC draws its own ephemeral EC
     * keys and ECDSA nonces; {@code random} serves the rest.
     *
     * @throws IllegalStateException naming the reason when ACCP cannot be used here (see {@link #accpProblem})
     */
    static IkeCrypto accp(SecureRandom random, boolean allowLegacy) {
        return new AccpIkeCrypto(random, allowLegacy);
    }

    /**
     * Why {@link #accp} cannot be used in this process (its native library did not load, as on
     * the BSDs, or its self-test failed), or empty when it can. The first call loads ACCP and runs
     * its self-tests (about 1-2 s); the answer is kept.
     */
    static Optional<String> accpProblem() {
        return Accp.problem();
    }

    /** "ACCP 2.5.0 on AWS-LC v1.47.0". @throws IllegalStateException when {@link #accpProblem} is not empty */
    static String accpVersion() {
        return Accp.version();
    }

    /** "bouncycastle" or "accp", as daemon.crypto names them. */
    String name();

    SecureRandom random();

    /** Whether DES and EC2N groups are acceptable (off by default). */
    boolean allowsLegacy();

    /** Phase-1 / PFS group for a Group Description value, if supported and allowed. */
    default Optional<DhGroup> dhGroup(int groupDescription) {
        return DhGroup.byId(groupDescription, allowsLegacy());
    }

    /** Phase-1 Encryption Algorithm attribute value, if supported and allowed. */
    default Optional<EncryptionAlgorithm> encryption(int ikeValue) {
        return EncryptionAlgorithm.fromIke(ikeValue, allowsLegacy());
    }

    /** Phase-1 Hash Algorithm attribute value, if supported. */
    default Optional<HashAlgorithm> hash(int ikeValue) {
        return HashAlgorithm.fromIke(ikeValue);
    }

    /** The HMAC prf of the negotiated hash (RFC 2409 s4: no prf negotiated). */
    default Prf prf(HashAlgorithm hash) {
        return Prf.hmac(hash);
    }

    /** @throws IllegalArgumentException if the algorithm is legacy and not allowed, or the key size is invalid */
    default CbcCipher cipher(EncryptionAlgorithm alg, int keyBits) {
        if (alg.isLegacy() && !allowsLegacy()) {
            throw new IllegalArgumentException(alg + " is disabled (legacy algorithms not allowed)");
        }
        return new CbcCipher(alg, keyBits);
    }

    /** A fresh ephemeral key pair in {@code group}. */
    default DhKeyPair generateKeyPair(DhGroup group) {
        if (group.isLegacy() && !allowsLegacy()) {
            throw new IllegalArgumentException(group + " is disabled (legacy groups not allowed)");
        }
        return group.generateKeyPair(random());
    }

    /**
     * g^xy with the peer's value, for an exchange that needs it only later (a Main Mode responder:
     * MM4 goes out before, and the keys are needed only when MM5 arrives). This implementation
     * computes it at once; a daemon's may hand it to another core ({@link PendingAgreement}).
     */
    default PendingAgreement agreeLater(DhKeyPair own, byte[] peerPublic) {
        return PendingAgreement.now(own, peerPublic);
    }

    /**
     * Signs with {@code key} as IKEv1 phase 1 does (RFC 2409 s5.1).
     *
     * @throws IllegalArgumentException for a key type or curve that no IKEv1 method names
     */
    default IkeSigner signer(PrivateKey key) {
        return IkeSigner.forKey(key);
    }

    /**
     * Verifies signatures of {@code key} as IKEv1 phase 1 makes them.
     *
     * @throws IllegalArgumentException for a key type or curve that no IKEv1 method names
     */
    default IkeVerifier verifier(PublicKey key) {
        return IkeVerifier.forKey(key);
    }

    /**
     * PKCS#1 v1.5 encryption (block type 2) of {@code data} for the holder of {@code key}: the
     * nonce and ID of public-key-encryption authentication (RFC 2409 s5.2).
     *
     * @throws IllegalArgumentException if {@code key} is not an RSA key or {@code data} too long for it
     */
    default byte[] rsaEncrypt(PublicKey key, byte[] data) {
        return RsaPayloadCipher.encrypt(key, data, random());
    }

    /**
     * Decrypts what {@link #rsaEncrypt} made; empty for anything that is not a valid PKCS#1 v1.5
     * block under {@code key}. It says nothing about why (padding, length, range), so that callers
     * can give one answer to every failure (the Bleichenbacher oracle, Felsch et al. 2018).
     */
    default Optional<byte[]> rsaDecrypt(PrivateKey key, byte[] ciphertext) {
        return RsaPayloadCipher.decrypt(key, ciphertext);
    }
}
