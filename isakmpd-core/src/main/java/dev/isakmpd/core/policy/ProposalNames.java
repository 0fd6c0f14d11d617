package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.EncryptionAlgorithm;
import dev.isakmpd.oakley.HashAlgorithm;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Proposal strings as strongSwan admins write them: "aes256-sha256-modp2048" for IKE, "aes128-sha1"
 * (optionally "-modp2048" for the PFS group), "aes128gcm16", "aes256ctr-sha256" for ESP. The legacy algorithms (DES, the EC2N groups
 * ec2n155 and ec2n185) are names only with {@code allowLegacy}; the one-argument forms refuse them.
 */
public final class ProposalNames {
    private ProposalNames() {
    }

    /** An ESP proposal string: the transform and, when it names one, the PFS group. */
    public record EspSpec(EspProposal proposal, Optional<DhGroup> pfsGroup) {
    }

    public static Phase1Proposal parseIke(String text) {
        return parseIke(text, false);
    }

    public static Phase1Proposal parseIke(String text, boolean allowLegacy) {
        List<String> t = tokens(text);
        if (t.size() != 3) {
            throw new IllegalArgumentException("IKE proposal '" + text
                    + "' must be cipher-hash-group, e.g. aes256-sha256-modp2048");
        }
        CipherSpec c = ikeCipher(t.get(0), text, allowLegacy);
        return new Phase1Proposal(c.alg, c.bits, hash(t.get(1), text), group(t.get(2), text, allowLegacy));
    }

    /** An AH proposal string: the integrity algorithm and, when it names one, the PFS group. */
    public record AhSpec(EspIntegrity integrity, Optional<DhGroup> pfsGroup) {
    }

    /** "integrity[-group]" as strongSwan's ah proposals: "sha256", "sha1-modp2048"; an "ah-" prefix is allowed. */
    public static AhSpec parseAh(String text, boolean allowLegacy) {
        List<String> t = tokens(text);
        if (!t.isEmpty() && t.get(0).equals("ah")) {
            t = t.subList(1, t.size());
        }
        if (t.isEmpty() || t.size() > 2) {
            throw new IllegalArgumentException("AH proposal '" + text + "' must be integrity[-group], e.g. sha256 "
                    + "or sha256-modp2048 (AH authenticates only: no cipher)");
        }
        EspIntegrity integrity = integrity(t.get(0), text);
        Optional<DhGroup> g = t.size() == 2 ? Optional.of(group(t.get(1), text, allowLegacy)) : Optional.empty();
        return new AhSpec(integrity, g);
    }

    public static EspSpec parseEsp(String text) {
        return parseEsp(text, false);
    }

    public static EspSpec parseEsp(String text, boolean allowLegacy) {
        return parseEsp(text, allowLegacy, false);
    }

    /**
     * "cipher-integrity[-group]" or, for an AEAD cipher, "cipher[-group]" (aes128gcm16-modp2048).
     * ESP NULL (integrity only, RFC 2410) only with {@code allowNull}.
     */
    public static EspSpec parseEsp(String text, boolean allowLegacy, boolean allowNull) {
        List<String> t = tokens(text);
        if (!t.isEmpty() && t.get(0).equals("esp")) {
            t = t.subList(1, t.size());
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("ESP proposal '" + text + "' is empty");
        }
        CipherSpecEsp c = espCipher(t.get(0), text, allowNull);
        int integrityTokens = c.cipher.isAead() ? 0 : 1;
        boolean aeadWithIntegrity = c.cipher.isAead() && t.size() == 2 && isIntegrity(t.get(1));
        if (aeadWithIntegrity || t.size() != 1 + integrityTokens && t.size() != 2 + integrityTokens) {
            throw new IllegalArgumentException("ESP proposal '" + text + "' must be " + (c.cipher.isAead()
                    ? "cipher[-group], e.g. aes128gcm16 or aes256gcm16-modp2048 (AES-GCM has no integrity part)"
                    : "cipher-integrity[-group], e.g. aes128-sha1 or aes128-sha256-modp2048"));
        }
        EspIntegrity integrity = c.cipher.isAead() ? EspIntegrity.NONE : integrity(t.get(1), text);
        EspProposal p = new EspProposal(c.cipher, c.bits, integrity);
        Optional<DhGroup> g = t.size() == 2 + integrityTokens
                ? Optional.of(group(t.get(t.size() - 1), text, allowLegacy)) : Optional.empty();
        return new EspSpec(p, g);
    }

    private static final Pattern AES_MODE = Pattern.compile("(aes(?:128|192|256)?)(ctr|gcm(\\d*))?");

    private record CipherSpecEsp(EspCipher cipher, int bits) {
    }

    /** strongSwan's ESP cipher names: aes128, aes256ctr, aes128gcm16 (also gcm128 in bits; bare gcm is 16). */
    private static CipherSpecEsp espCipher(String c, String context, boolean allowNull) {
        if (c.equals("3des")) {
            return new CipherSpecEsp(EspCipher.DES3_CBC, 192);
        }
        if (c.equals("null")) {
            if (!allowNull) {
                throw new IllegalArgumentException("cipher 'null' in '" + context + "' leaves ESP unencrypted "
                        + "(RFC 2410); it is accepted only with allow-esp-null = true in [daemon]");
            }
            return new CipherSpecEsp(EspCipher.NULL, 0);
        }
        Matcher m = AES_MODE.matcher(c);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown cipher '" + c + "' in '" + context + "' (known: "
                    + ESP_CIPHERS + ")");
        }
        int bits = aesBits(m.group(1), context, ESP_CIPHERS);
        if (m.group(2) == null) {
            return new CipherSpecEsp(EspCipher.AES_CBC, bits);
        }
        if (m.group(2).equals("ctr")) {
            return new CipherSpecEsp(EspCipher.AES_CTR, bits);
        }
        EspCipher gcm = switch (m.group(3)) {
            case "8", "64" -> EspCipher.AES_GCM_8;
            case "12", "96" -> EspCipher.AES_GCM_12;
            case "", "16", "128" -> EspCipher.AES_GCM_16;
            default -> throw new IllegalArgumentException("AES-GCM in '" + context + "' has an 8, 12 or 16 byte ICV "
                    + "(RFC 4106), not '" + m.group(3) + "'");
        };
        return new CipherSpecEsp(gcm, bits);
    }

    public static DhGroup group(String name, String context) {
        return group(name, context, false);
    }

    public static DhGroup group(String name, String context, boolean allowLegacy) {
        Optional<DhGroup> named = DhGroup.byName(name.toLowerCase(Locale.ROOT), true);
        if (named.isPresent()) {
            if (named.get().isLegacy() && !allowLegacy) {
                throw legacy("DH group '" + name + "'", context);
            }
            return named.get();
        }
        throw new IllegalArgumentException("unknown DH group '" + name + "' in '" + context + "' (known: "
                + String.join(", ", DhGroup.all().stream().filter(g -> allowLegacy || !g.isLegacy())
                        .map(DhGroup::name).toList()) + ")");
    }

    private static IllegalArgumentException legacy(String what, String context) {
        return new IllegalArgumentException(what + " in '" + context + "' is a legacy algorithm, too weak for "
                + "today; it is accepted only with allow-legacy-crypto = true in [daemon]");
    }

    static String cipher(EncryptionAlgorithm e, int bits) {
        return switch (e) {
            case DES_CBC -> "des";
            case DES3_CBC -> "3des";
            case AES_CBC -> "aes" + bits;
            case BLOWFISH_CBC -> "blowfish" + bits;
            case CAST_CBC -> "cast" + bits;
            case CAMELLIA_CBC -> "camellia" + bits;
        };
    }

    static String hash(HashAlgorithm h) {
        return switch (h) {
            case MD5 -> "md5";
            case SHA1 -> "sha1";
            case SHA2_256 -> "sha256";
            case SHA2_384 -> "sha384";
            case SHA2_512 -> "sha512";
        };
    }

    private record CipherSpec(EncryptionAlgorithm alg, int bits) {
    }

    private static CipherSpec ikeCipher(String c, String context, boolean allowLegacy) {
        if (c.equals("3des")) {
            return new CipherSpec(EncryptionAlgorithm.DES3_CBC, 192);
        }
        if (c.equals("des")) {
            if (!allowLegacy) {
                throw legacy("cipher 'des' (56-bit key)", context);
            }
            return new CipherSpec(EncryptionAlgorithm.DES_CBC, 64);
        }
        // strongSwan's names for the other phase-1 ciphers.
        for (EncryptionAlgorithm e : List.of(EncryptionAlgorithm.BLOWFISH_CBC, EncryptionAlgorithm.CAST_CBC,
                EncryptionAlgorithm.CAMELLIA_CBC)) {
            for (int bits : List.of(128, 192, 256)) {
                if (e.isValidKeyBits(bits) && c.equals(cipher(e, bits))) {
                    return new CipherSpec(e, bits);
                }
            }
        }
        return new CipherSpec(EncryptionAlgorithm.AES_CBC, aesBits(c, context, IKE_CIPHERS));
    }

    private static final String IKE_CIPHERS = "aes128, aes192, aes256, 3des, camellia128/192/256, blowfish128/192/256, "
            + "cast128";
    /** ESP has fewer ciphers than IKE here: an error must not suggest one the kernel path cannot use. */
    private static final String ESP_CIPHERS = "aes128, aes192, aes256, 3des, aes128ctr/aes192ctr/aes256ctr, "
            + "aes128gcm16/aes192gcm16/aes256gcm16 (also gcm12, gcm8), null (with allow-esp-null)";

    private static int aesBits(String c, String context, String known) {
        return switch (c) {
            case "aes", "aes128" -> 128;
            case "aes192" -> 192;
            case "aes256" -> 256;
            default -> throw new IllegalArgumentException("unknown cipher '" + c + "' in '" + context
                    + "' (known: " + known + ")");
        };
    }

    private static HashAlgorithm hash(String h, String context) {
        for (HashAlgorithm a : HashAlgorithm.values()) {
            if (hash(a).equals(h) || (a == HashAlgorithm.SHA1 && h.equals("sha"))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown hash '" + h + "' in '" + context
                + "' (known: md5, sha1, sha256, sha384, sha512)");
    }

    private static boolean isIntegrity(String h) {
        try {
            integrity(h, h);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static EspIntegrity integrity(String h, String context) {
        for (EspIntegrity i : EspIntegrity.values()) {
            if (i != EspIntegrity.NONE && i.displayName().equals(h) || (i == EspIntegrity.HMAC_SHA1 && h.equals("sha"))) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown integrity algorithm '" + h + "' in '" + context
                + "' (known: md5, sha1, sha256, sha384, sha512, aesxcbc)");
    }

    private static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.trim().toLowerCase(Locale.ROOT).split("[-\\s]+")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
