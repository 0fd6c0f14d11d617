package dev.isakmpd.core.exchange;

import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.core.registry.NotifyType;
import dev.isakmpd.core.registry.PayloadType;
import dev.isakmpd.core.wire.EncryptedPayload;
import dev.isakmpd.core.wire.HashPayload;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.core.wire.KeyExchangePayload;
import dev.isakmpd.core.wire.Payload;
import dev.isakmpd.core.wire.PayloadCodec;
import dev.isakmpd.core.wire.WireException;
import dev.isakmpd.oakley.Phase1Keys;
import dev.isakmpd.oakley.SecretBytes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication with public key encryption (RFC 2409 s5.2, method 4) and its revised mode
 * (s5.3, method 5). In Main Mode the third and fourth messages carry the nonce, and the ID, with
 * their bodies encrypted for the other side: both with its RSA key (method 4), or the nonce with
 * its RSA key and KE and ID with a symmetric key derived from that nonce (method 5). The HASHes
 * of messages 5 and 6 prove that each side could decrypt.
 *
 * <p>These modes were broken by a Bleichenbacher oracle (Felsch et al., USENIX Security 2018):
 * responders that answered an invalid ciphertext differently from a valid one under a wrong key.
 * Here a body that does not decrypt is replaced by random bytes of the right shape and the
 * exchange goes on unchanged, so its only outcome is the HASH that fails in message 5, exactly as
 * under a wrong key pair, with the same messages at the same points and the same work.
 */
final class PublicKeyEncryptionAuth implements Phase1Auth {
    private final PeerAuth.PublicKeyEncryption config;

    PublicKeyEncryptionAuth(PeerAuth.PublicKeyEncryption config) {
        this.config = config;
    }

    @Override
    public int method() {
        return config.revised() ? IkeAttributes.AUTH_RSA_REVISED_ENCRYPTION : IkeAttributes.AUTH_RSA_ENCRYPTION;
    }

    @Override
    public PayloadType proofType() {
        return PayloadType.HASH;
    }

    @Override
    public Set<PayloadType> encryptedInKeyExchange() {
        return config.revised() ? Set.of(PayloadType.NONCE, PayloadType.KE, PayloadType.ID, PayloadType.CERT)
                : Set.of(PayloadType.NONCE, PayloadType.ID);
    }

    @Override
    public boolean identifiesInKeyExchange() {
        return true;
    }

    @Override
    public Phase1Keys.AuthMethod skeyidFormula() {
        return Phase1Keys.AuthMethod.PUBLIC_KEY_ENCRYPTION;
    }

    /**
     * Method 4: HDR, KE, &lt;IDx_b&gt;PubKey, &lt;Nx_b&gt;PubKey. Method 5: HDR, &lt;Nx_b&gt;PubKey,
     * &lt;KE_b&gt;Ke, &lt;IDx_b&gt;Ke, with Ke from our nonce and our cookie (s5.3).
     */
    @Override
    public List<Payload> sealKeyExchange(byte[] keyData, byte[] nonce, IdentificationPayload ownId,
            KeyExchangeContext c) {
        byte[] idBody = PayloadCodec.encodeBody(ownId);
        EncryptedPayload sealedNonce = new EncryptedPayload(PayloadType.NONCE,
                c.crypto().rsaEncrypt(config.peerKey(), nonce));
        if (!config.revised()) {
            return List.of(new KeyExchangePayload(keyData),
                    new EncryptedPayload(PayloadType.ID, c.crypto().rsaEncrypt(config.peerKey(), idBody)), sealedNonce);
        }
        SecretBytes ke = Phase1Keys.revisedModeKey(c.prf(), nonce, c.ownCookie(), c.cipher().keyLength());
        try {
            List<byte[]> bodies = RevisedModeCipher.seal(c.cipher(), ke.bytes(), List.of(keyData, idBody));
            return List.of(sealedNonce, new EncryptedPayload(PayloadType.KE, bodies.get(0)),
                    new EncryptedPayload(PayloadType.ID, bodies.get(1)));
        } finally {
            ke.wipe();
        }
    }

    @Override
    public Exchanged openKeyExchange(List<Payload> payloads, KeyExchangeContext c) throws ExchangeFailure {
        EncryptedPayload sealedNonce = encrypted(payloads, PayloadType.NONCE);
        EncryptedPayload sealedId = encrypted(payloads, PayloadType.ID);
        byte[] nonce = decryptOrRandom(c, sealedNonce.body(), Phase1Exchange.NONCE_LENGTH);
        byte[] keyData;
        byte[] idBody;
        if (!config.revised()) {
            keyData = Payloads.required(payloads, KeyExchangePayload.class, "KE").keyData();
            idBody = c.crypto().rsaDecrypt(config.key(), sealedId.body()).orElse(null);
        } else {
            EncryptedPayload sealedKe = encrypted(payloads, PayloadType.KE);
            SecretBytes ke = Phase1Keys.revisedModeKey(c.prf(), nonce, c.peerCookie(), c.cipher().keyLength());
            try {
                List<Optional<byte[]>> opened = RevisedModeCipher.open(c.cipher(), ke.bytes(),
                        List.of(sealedKe.body(), sealedId.body()));
                keyData = opened.get(0).filter(k -> k.length == c.group().publicValueLength()).orElse(null);
                idBody = opened.get(1).orElse(null);
            } finally {
                ke.wipe();
            }
            if (keyData == null) {
                keyData = c.group().generateKeyPair(c.crypto().random()).publicValue(); // as under a wrong key
            }
        }
        return new Exchanged(keyData, nonce, idFrom(idBody, c));
    }

    /** RSA-decrypts, or returns random bytes of a nonce's length: never a different answer. */
    private byte[] decryptOrRandom(KeyExchangeContext c, byte[] ciphertext, int length) {
        Optional<byte[]> plain = c.crypto().rsaDecrypt(config.key(), ciphertext);
        if (plain.isPresent() && plain.get().length >= 8 && plain.get().length <= 256) {
            return plain.get();
        }
        byte[] r = new byte[length];
        c.crypto().random().nextBytes(r);
        return r;
    }

    /** The peer's ID from its decrypted body, or a random KEY_ID that cannot match when it did not decrypt. */
    private static IdentificationPayload idFrom(byte[] body, KeyExchangeContext c) {
        if (body != null && body.length > 4) {
            try {
                return IdentificationPayload.decode(body);
            } catch (WireException | RuntimeException e) {
                // fall through: as under a wrong key
            }
        }
        byte[] r = new byte[16];
        c.crypto().random().nextBytes(r);
        return new IdentificationPayload(IdType.KEY_ID, 0, 0, r);
    }

    private static EncryptedPayload encrypted(List<Payload> payloads, PayloadType type) throws ExchangeFailure {
        for (Payload p : payloads) {
            if (p instanceof EncryptedPayload e && e.type().equals(type)) {
                return e;
            }
        }
        throw ExchangeFailure.fatal(NotifyType.PAYLOAD_MALFORMED, "encrypted " + type.shortName() + " payload missing");
    }

    @Override
    public String mismatchHint() {
        return "wrong key pair, or a nonce that did not decrypt?";
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
            throw ExchangeFailure.fatal(NotifyType.INVALID_HASH_INFORMATION, "authentication failed: " + hashName
                    + " does not verify (the peer could not decrypt our nonce, or we not its: wrong key pair?)");
        }
        return "authenticated by " + config;
    }

    @Override
    public String toString() {
        return config.toString();
    }
}
