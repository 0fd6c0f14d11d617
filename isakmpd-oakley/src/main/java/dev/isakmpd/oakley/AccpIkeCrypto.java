package dev.isakmpd.oakley;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link IkeCrypto} with AWS-LC (through Amazon Corretto Crypto Provider) where it covers the
 * primitive and is faster here: ECDH on groups 19-21, RSA and ECDSA signatures, HMAC. The rest
 * is Bouncy Castle's, as in {@link BcIkeCrypto}: MODP, brainpool, curve25519/448 and EC2N
 * groups (ACCP has no finite-field DH and, on JDK 17, no X25519), the CBC ciphers (AES-CBC on
 * ISAKMP-sized messages measured no faster), DSS, and the RSA public-key encryption of auth
 * methods 4/5, whose uniform failure ({@link RsaPayloadCipher}) is kept as it is.
 */
final class AccpIkeCrypto implements IkeCrypto {
    private final SecureRandom random;
    private final boolean allowLegacy;
    private final Map<HashAlgorithm, Prf> prfs = new EnumMap<>(HashAlgorithm.class);

    AccpIkeCrypto(SecureRandom random, boolean allowLegacy) {
        this.random = Objects.requireNonNull(random, "random");
        this.allowLegacy = allowLegacy;
        Provider accp = Accp.provider();
        for (HashAlgorithm h : HashAlgorithm.values()) {
            prfs.put(h, Prf.hmac(h, accp));
        }
    }

    @Override
    public String name() {
        return "accp";
    }

    @Override
    public SecureRandom random() {
        return random;
    }

    @Override
    public boolean allowsLegacy() {
        return allowLegacy;
    }

    @Override
    public Prf prf(HashAlgorithm hash) {
        return prfs.get(Objects.requireNonNull(hash, "hash"));
    }

    @Override
    public DhKeyPair generateKeyPair(DhGroup group) {
        if (AccpEcdh.covers(group)) {
            return AccpEcdh.generate((EcpGroup) group);
        }
        return IkeCrypto.super.generateKeyPair(group);
    }

    @Override
    public IkeSigner signer(PrivateKey key) {
        return AccpSignatures.signer(key);
    }

    @Override
    public IkeVerifier verifier(PublicKey key) {
        return AccpSignatures.verifier(key);
    }

    @Override
    public String toString() {
        return "AccpIkeCrypto[" + Accp.version() + ", legacy " + (allowLegacy ? "allowed" : "refused") + "]";
    }
}
