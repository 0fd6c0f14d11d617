package dev.isakmpd.core.registry;

import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Well-known IKEv1 vendor IDs (specs/ikev1-vendor-ids.md), matched as prefixes because several are followed by
 * version or capability bytes (DPD's major/minor, FRAGMENTATION's capability word).
 */
public final class VendorIds {
    private static final Map<byte[], String> KNOWN = new LinkedHashMap<>();

    static {
        add("4a131c81070358455c5728f20e95452f", "RFC 3947 NAT-T");
        add("4485152d18b6bbcd0be8a8469579ddcc", "draft-ietf-ipsec-nat-t-ike-00");
        add("16f6ca16e4a4066d83821a0f0aeaa862", "draft-ietf-ipsec-nat-t-ike-01");
        add("90cb80913ebb696e086381b5ec427b1f", "draft-ietf-ipsec-nat-t-ike-02\\n");
        add("cd60464335df21f87cfdb2fc68b6a448", "draft-ietf-ipsec-nat-t-ike-02");
        add("7d9419a65310ca6f2c179d9215529d56", "draft-ietf-ipsec-nat-t-ike-03");
        add("afcad71368a1f1c96b8696fc7757", "Dead Peer Detection (RFC 3706)");
        add("09002689dfd6b712", "XAUTH");
        add("12f5f28c457168a9702d9fe274cc", "Cisco Unity");
        add("4048b7d56ebce88525e7de7f00d6c2d3", "FRAGMENTATION");
    }

    private VendorIds() {
    }

    private static void add(String hex, String name) {
        KNOWN.put(HexFormat.of().parseHex(hex), name);
    }

    /** The name of a known vendor ID (by prefix), or {@code null}. */
    public static String name(byte[] vendorId) {
        for (Map.Entry<byte[], String> e : KNOWN.entrySet()) {
            byte[] k = e.getKey();
            if (vendorId.length >= k.length && java.util.Arrays.equals(vendorId, 0, k.length, k, 0, k.length)) {
                return e.getValue();
            }
        }
        return null;
    }
}
