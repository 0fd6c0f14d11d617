package dev.isakmpd.core.policy;

import dev.isakmpd.core.pki.TrustStore;
import dev.isakmpd.oakley.IkeSigner;
import dev.isakmpd.oakley.SecretBytes;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** How a peer and we prove who we are in phase 1 (RFC 2409 s5). */
public sealed interface PeerAuth {

    /** RFC 2409 s5.4. The key is chosen before the peer's ID is known: by address, in Main Mode. */
    record PreSharedKey(SecretBytes key) implements PeerAuth {
        @Override
        public String toString() {
            return "pre-shared key";
        }
    }

    /**
     * RFC 2409 s5.1: we sign with {@code signer}, whose certificate heads {@code chain} (then its
     * intermediates); the peer's certificate must lead to a CA of {@code trust}.
     *
     * @param sendCertificate always send our chain, or only when the peer sent a CERTREQ
     */
    record Signatures(IkeSigner signer, List<X509Certificate> chain, TrustStore trust, boolean sendCertificate)
            implements PeerAuth {
        public Signatures {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate of ours");
            }
        }

        @Override
        public String toString() {
            return "signatures (" + chain.get(0).getSubjectX500Principal() + ")";
        }
    }

    /**
     * Hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05), the gateway's side: we sign
     * with {@code gateway}'s key and certificate as with {@link Signatures}; the client proves
     * nothing in phase 1 (a plain HASH) and is authenticated by XAUTH alone, which the policy must
     * run as server. Only RSA and DSS keys have hybrid methods (s3.2.1).
     */
    record Hybrid(Signatures gateway) implements PeerAuth {
        @Override
        public String toString() {
            return "hybrid (" + gateway.chain().get(0).getSubjectX500Principal() + ", the client by XAUTH)";
        }
    }

    /**
     * Hybrid authentication, the client's side: the gateway's RSA signature and certificate must
     * lead to a CA of {@code trust}; we send a plain HASH and are authenticated by XAUTH, as its
     * client. We name HybridInitRSA (or HybridRespRSA): DSS gateways are not served.
     */
    record HybridClient(TrustStore trust) implements PeerAuth {
        @Override
        public String toString() {
            return "hybrid client (the gateway by its certificate, we by XAUTH)";
        }
    }

    /**
     * RFC 2409 s5.2 (or, {@code revised}, s5.3): nonces and IDs travel encrypted with the other
     * side's RSA public key; each side proves it could decrypt by reconstructing the HASH. We
     * decrypt with {@code key}; {@code peerKey} is the peer's, known beforehand (from its certificate).
     */
    record PublicKeyEncryption(PrivateKey key, PublicKey peerKey, boolean revised) implements PeerAuth {
        @Override
        public String toString() {
            return revised ? "revised public key encryption" : "public key encryption";
        }
    }
}
