package dev.isakmpd.oakley;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreement;
import javax.security.auth.DestroyFailedException;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDH on the NIST groups 19, 20 and 21 (RFC 5903) in AWS-LC, through ACCP: the same KE data
 * (x | y) and shared secret (x of the product, padded to the field length) as {@link EcpGroup},
 * which still validates every peer value first ({@link DhGroup#agree}). The private scalar stays
 * in a native key object, destroyed when the pair is wiped; AWS-LC draws it from its own DRBG,
 * not from the injected SecureRandom.
 */
final class AccpEcdh {
    private AccpEcdh() {
    }

    /** Whether ACCP does this group: the NIST prime curves P-256, P-384, P-521. */
    static boolean covers(DhGroup g) {
        return g.id() == 19 || g.id() == 20 || g.id() == 21;
    }

    static DhKeyPair generate(EcpGroup g) {
        Provider accp = Accp.provider();
        try {
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC", accp);
            kpg.initialize(new ECGenParameterSpec(g.curveName()));
            KeyPair kp = kpg.generateKeyPair();
            ECPoint w = ((ECPublicKey) kp.getPublic()).getW();
            int f = g.sharedSecretLength();
            byte[] ke = new byte[2 * f];
            BigIntegers.asUnsignedByteArray(w.getAffineX(), ke, 0, f);
            BigIntegers.asUnsignedByteArray(w.getAffineY(), ke, f, f);
            return new DhKeyPair(g, new Held(g, kp.getPrivate(), accp), ke);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ACCP key generation failed on " + g.name() + ": "
                    + e.getClass().getSimpleName(), e);
        }
    }

    /** A pair from a fixed scalar (known-answer tests); the KE data is the group's own. */
    static DhKeyPair fromPrivate(EcpGroup g, byte[] scalar) {
        Provider accp = Accp.provider();
        try {
            PrivateKey d = KeyFactory.getInstance("EC", accp)
                    .generatePrivate(new ECPrivateKeySpec(new BigInteger(1, scalar), spec(g)));
            return new DhKeyPair(g, new Held(g, d, accp), g.keyPairFromPrivate(scalar).publicValue());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("ACCP refused the scalar: " + e.getClass().getSimpleName(), e);
        }
    }

    private static ECParameterSpec spec(EcpGroup g) throws GeneralSecurityException {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(g.curveName()));
        return p.getParameterSpec(ECParameterSpec.class);
    }

    /** The private key in AWS-LC and what agreement with it needs. */
    private static final class Held implements DhKeyPair.NativeAgreement {
        private final EcpGroup group;
        private final PrivateKey key;
        private final Provider accp;

        Held(EcpGroup group, PrivateKey key, Provider accp) {
            this.group = group;
            this.key = key;
            this.accp = accp;
        }

        @Override
        public byte[] agree(byte[] peerPublic) throws InvalidKeyInformationException {
            int f = group.sharedSecretLength();
            ECPoint q = new ECPoint(new BigInteger(1, Arrays.copyOfRange(peerPublic, 0, f)),
                    new BigInteger(1, Arrays.copyOfRange(peerPublic, f, 2 * f)));
            byte[] z;
            try {
                KeyAgreement ka = KeyAgreement.getInstance("ECDH", accp);
                ka.init(key);
                ka.doPhase(KeyFactory.getInstance("EC", accp).generatePublic(new ECPublicKeySpec(q,
                        ((ECKey) key).getParams())), true);
                z = ka.generateSecret();
            } catch (GeneralSecurityException | IllegalStateException e) {
                throw group.invalid("native ECDH refused the peer value (" + e.getClass().getSimpleName() + ")");
            }
            if (z.length != f) {
                throw new IllegalStateException("ACCP's ECDH secret is " + z.length + " bytes, not " + f);
            }
            return z;
        }

        @Override
        public void destroy() {
            if (key.isDestroyed()) {                // a pair may be wiped more than once; ACCP throws then
                return;
            }
            try {
                key.destroy();                  // ACCP's keys free their native memory here
            } catch (DestroyFailedException e) {
                // Not an ACCP key after all: nothing more can be cleared from here.
            }
        }
    }
}
