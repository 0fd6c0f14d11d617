package dev.isakmpd.core.policy;

/** One ESP transform we offer or accept. */
public record EspProposal(EspCipher cipher, int keyBits, EspIntegrity integrity) {

    public EspProposal {
        if (!cipher.isValidKeyBits(keyBits)) {
            throw new IllegalArgumentException(keyBits + "-bit keys are not valid for " + cipher);
        }
    }

    /** Bytes of KEYMAT this transform consumes: encryption key first, then the HMAC key. */
    public int keymatLength() {
        return keyBits / 8 + integrity.keyLength();
    }

    public String name() {
        return cipher.displayName(keyBits) + "-" + integrity.displayName();
    }

    @Override
    public String toString() {
        return name();
    }
}
