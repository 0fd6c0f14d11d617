package dev.isakmpd.core.policy;

/** One ESP transform we offer or accept. */
public record EspProposal(EspCipher cipher, int keyBits, EspIntegrity integrity) {

    public EspProposal {
        if (!cipher.isValidKeyBits(keyBits)) {
            throw new IllegalArgumentException(keyBits + "-bit keys are not valid for " + cipher);
        }
        if (cipher.isAead() != (integrity == EspIntegrity.NONE)) {
            throw new IllegalArgumentException(cipher.isAead() ? cipher.displayName(keyBits)
                    + " authenticates by itself and takes no integrity algorithm" : "ESP needs an integrity algorithm");
        }
    }

    /**
     * Bytes of KEYMAT this transform consumes (RFC 2409 s5.5): the encryption key with its salt or
     * nonce first (RFC 4106 s8.1, RFC 3686 s5.1), then the HMAC key.
     */
    public int keymatLength() {
        return cipher.keymatLength(keyBits) + integrity.keyLength();
    }

    public String name() {
        return name(cipher, keyBits, integrity);
    }

    /** strongSwan's name for a transform: "aes128-sha1", "aes256gcm16" (an AEAD has no integrity part). */
    public static String name(EspCipher cipher, int keyBits, EspIntegrity integrity) {
        return integrity == EspIntegrity.NONE ? cipher.displayName(keyBits)
                : cipher.displayName(keyBits) + "-" + integrity.displayName();
    }

    @Override
    public String toString() {
        return name();
    }
}
