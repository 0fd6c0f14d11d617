package dev.isakmpd.core.exchange;

import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.SecretBytes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;

/**
 * Pre-shared key authentication (RFC 2409 s5.4): SKEYID = prf(pre-shared-key, Ni_b | Nr_b), and
 * HASH_I/HASH_R travel as they are. Knowing the key is the only proof, so the peer's ID payload
 * is believed as sent.
 */
record PreSharedKeyAuth(SecretBytes psk) implements Phase1Auth {

    @Override
    public int method() {
        return IkeAttributes.AUTH_PRE_SHARED_KEY;
    }

    @Override
    public PayloadType proofType() {
        return PayloadType.HASH;
    }

    @Override
    public Phase1Keys.AuthMethod skeyidFormula() {
        return Phase1Keys.AuthMethod.PRE_SHARED_KEY;
    }

    @Override
    public SecretBytes preSharedKey() {
        return psk;
    }

    @Override
    public List<Payload> prove(byte[] hash, boolean peerAskedForCertificate) {
        return List.of(new HashPayload(hash));
    }

    @Override
    public String verify(List<Payload> payloads, byte[] expected, String hashName, IdentificationPayload peerId,
            Instant now) throws ExchangeFailure {
        HashPayload hash = Payloads.required(payloads, HashPayload.class, "HASH");
        if (!MessageDigest.isEqual(expected, hash.hash())) {
            // RFC 2408 s5.11: a HASH that does not verify is INVALID-HASH-INFORMATION.
            throw ExchangeFailure.fatal(NotifyType.INVALID_HASH_INFORMATION,
                    "authentication failed: " + hashName + " does not verify (pre-shared key mismatch?)");
        }
        return "authenticated by the pre-shared key";
    }

    @Override
    public String toString() {
        return "pre-shared key";
    }
}
