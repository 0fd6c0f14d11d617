package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;

/** One ISAKMP SA transform we offer or accept: cipher, hash (and HMAC prf), Oakley group; PSK auth. */
public record Phase1Proposal(EncryptionAlgorithm encryption, int keyBits, HashAlgorithm hash, DhGroup group) {

    public Phase1Proposal {
        if (!encryption.isValidKeyBits(keyBits)) {
            throw new IllegalArgumentException(keyBits + "-bit keys are not valid for " + encryption);
        }
    }

    /** True when a peer's transform carries the same algorithms. */
    public boolean matches(EncryptionAlgorithm e, int bits, HashAlgorithm h, int groupId) {
        return encryption == e && keyBits == bits && hash == h && group.id() == groupId;
    }

    /** DES or an EC2N group: usable only where legacy algorithms are allowed. */
    public boolean isLegacy() {
        return encryption.isLegacy() || group.isLegacy();
    }

    /** The strongSwan-style name, e.g. "aes256-sha256-modp2048". */
    public String name() {
        return ProposalNames.cipher(encryption, keyBits) + "-" + ProposalNames.hash(hash) + "-" + group.name();
    }

    @Override
    public String toString() {
        return name();
    }
}
