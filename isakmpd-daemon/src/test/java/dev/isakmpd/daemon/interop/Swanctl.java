package dev.isakmpd.daemon.interop;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads strongSwan's {@code swanctl --list-sas --raw} output (vici's raw format), e.g.
 * {@code list-sa event {conn {... initiator-spi=9d02.. child-sas {net-1 {... spi-in=c9f8fa8c ...}}}}},
 * and names its algorithms the way our proposal strings do.
 */
final class Swanctl {
    private static final Pattern KV = Pattern.compile("([a-z-]+)=([^\\s{}\\[\\]]+)");

    private Swanctl() {
    }

    static Map<String, String> ikeSa(String raw) {
        int child = raw.indexOf("child-sas {");
        return pairs(child < 0 ? raw : raw.substring(0, child));
    }

    static Map<String, String> childSa(String raw) {
        int child = raw.indexOf("child-sas {");
        if (child < 0) {
            throw new AssertionError("no CHILD_SA in swanctl output: " + raw);
        }
        return pairs(raw.substring(child));
    }

    /** e.g. "aes128-sha256-modp2048" from encr-alg/encr-keysize/prf-alg/dh-group. */
    static String ikeProposal(Map<String, String> ike) {
        return cipher(ike) + "-" + hash(ike.get("prf-alg")) + "-" + groupName(ike.get("dh-group"));
    }

    /** e.g. "aes128-sha1" from encr-alg/encr-keysize/integ-alg. */
    /** Our name for a CHILD_SA's algorithms; an AEAD (AES-GCM) has no integ-alg. */
    static String espProposal(Map<String, String> child) {
        String integ = child.get("integ-alg");
        return integ == null ? cipher(child) : cipher(child) + "-" + hash(integ);
    }

    /** MODP_2048 -> modp2048, ECP_384_BP -> ecp384bp, MODP_2048_256 -> modp2048s256 (RFC 5114). */
    static String groupName(String vici) {
        String n = vici.toLowerCase(Locale.ROOT).replaceFirst("^modp_(\\d+)_(\\d+)$", "modp$1s$2");
        return n.replace("_", "");
    }

    private static String cipher(Map<String, String> m) {
        String alg = m.get("encr-alg");
        return switch (alg) {
            case "AES_CBC" -> "aes" + m.get("encr-keysize");
            case "3DES_CBC" -> "3des";
            case "CAMELLIA_CBC" -> "camellia" + m.get("encr-keysize");
            case "AES_CTR" -> "aes" + m.get("encr-keysize") + "ctr";
            case "AES_GCM_8", "AES_GCM_12", "AES_GCM_16" -> "aes" + m.get("encr-keysize") + "gcm" + alg.substring(8);
            default -> throw new AssertionError("unexpected strongSwan cipher " + alg);
        };
    }

    /** PRF_HMAC_SHA2_256 / HMAC_SHA2_256_128 / HMAC_SHA1_96 / PRF_HMAC_SHA1 -> sha256 / sha1. */
    private static String hash(String vici) {
        if (vici.contains("SHA2_256")) {
            return "sha256";
        }
        if (vici.contains("SHA2_384")) {
            return "sha384";
        }
        if (vici.contains("SHA2_512")) {
            return "sha512";
        }
        if (vici.contains("SHA1")) {
            return "sha1";
        }
        if (vici.contains("MD5")) {
            return "md5";
        }
        throw new AssertionError("unexpected strongSwan hash " + vici);
    }

    private static Map<String, String> pairs(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = KV.matcher(s);
        while (x.find()) {
            m.putIfAbsent(x.group(1), x.group(2));
        }
        return m;
    }
}
