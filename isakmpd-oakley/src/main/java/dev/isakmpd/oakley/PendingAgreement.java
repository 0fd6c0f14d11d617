package dev.isakmpd.oakley;

import java.util.Objects;

/**
 * A Diffie-Hellman shared secret that an {@link IkeCrypto} may still be computing on another
 * thread ({@link IkeCrypto#agreeLater}). The exchange asks for it only when it needs the keys,
 * so the computation can overlap the round trip to the peer.
 */
public interface PendingAgreement {

    /**
     * g^xy, waiting if it is still being computed. Called at most once; the caller owns the
     * secret and wipes it.
     *
     * @throws InvalidKeyInformationException if the peer's value or the result is unusable
     */
    SecretBytes join() throws InvalidKeyInformationException;

    /** Gives the secret up unread: it is wiped now, or as soon as it has been computed. */
    void discard();

    /** The agreement computed on the calling thread, now. */
    static PendingAgreement now(DhKeyPair own, byte[] peerPublic) {
        Objects.requireNonNull(own, "own");
        try {
            SecretBytes gxy = own.group().agree(own, peerPublic);
            return new Computed(gxy, null);
        } catch (InvalidKeyInformationException e) {
            return new Computed(null, e);
        }
    }

    /** An agreement already done (or refused). */
    final class Computed implements PendingAgreement {
        private final SecretBytes gxy;
        private final InvalidKeyInformationException failure;

        Computed(SecretBytes gxy, InvalidKeyInformationException failure) {
            this.gxy = gxy;
            this.failure = failure;
        }

        @Override
        public SecretBytes join() throws InvalidKeyInformationException {
            if (failure != null) {
                throw failure;
            }
            return gxy;
        }

        @Override
        public void discard() {
            if (gxy != null) {
                gxy.wipe();
            }
        }

        @Override
        public String toString() {
            return "PendingAgreement[" + (failure != null ? "refused" : "computed, <redacted>") + "]";
        }
    }
}
