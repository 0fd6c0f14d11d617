package dev.isakmpd.oakley;

/** A peer's public key, ready to check its signature over HASH_I or HASH_R (RFC 2409 s5.1). */
public interface IkeVerifier {
    /**
     * @throws IllegalArgumentException for a key type or curve that no IKEv1 method names
     */
    static IkeVerifier forKey(java.security.PublicKey key) {
        return HashSignatures.verifier(key);
    }

    /** The Authentication Method attribute value this key signs for (RFC 2409 App. A, RFC 4754). */
    int authMethod();

    /** False for a signature of the wrong length, form or value; never throws for peer input. */
    boolean verify(byte[] hash, byte[] signature);

    /** A verifier for {@code authMethod} that checks with {@code verify}. */
    static IkeVerifier of(int authMethod, java.util.function.BiPredicate<byte[], byte[]> verify) {
        return new IkeVerifier() {
            @Override
            public int authMethod() {
                return authMethod;
            }

            @Override
            public boolean verify(byte[] hash, byte[] signature) {
                return verify.test(hash, signature);
            }
        };
    }
}
