package dev.isakmpd.core.policy;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.wire.IdentificationPayload;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * A phase-1 identity (RFC 2407 s4.6.2), written in configuration as strongSwan admins write it:
 * <ul>
 * <li>an IP literal: ID_IPV4_ADDR / ID_IPV6_ADDR;
 * <li>{@code @name} or a plain name: ID_FQDN; {@code user@domain}: ID_USER_FQDN;
 * <li>{@code C=CH, O=Example, CN=gw}: ID_DER_ASN1_DN, with the RDNs in the order written (the
 *     order of the DER encoding, as OpenSSL's {@code -subj} and strongSwan use it);
 * <li>{@code @#0123ab}: ID_KEY_ID with those bytes.
 * </ul>
 */
public record Identity(IdType type, byte[] data) {

    public Identity {
        Objects.requireNonNull(type, "type");
        data = data.clone();
        new IdentificationPayload(type, 0, 0, data); // the wire's length rules apply here too
    }

    /** @throws IllegalArgumentException with a message fit for a config error */
    public static Identity parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty identity");
        }
        if (t.startsWith("@#")) {
            try {
                return new Identity(IdType.KEY_ID, HexFormat.of().parseHex(t.substring(2)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + t + "': @# must be followed by hex digits (a KEY_ID)");
            }
        }
        if (t.startsWith("@")) {
            return ascii(IdType.FQDN, t.substring(1), t);
        }
        if (t.contains("=")) {
            try {
                return new Identity(IdType.DER_ASN1_DN, new X500Name(t).getEncoded());
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + t + "' is not a distinguished name (C=.., O=.., CN=..)");
            }
        }
        if (t.contains("@")) {
            return ascii(IdType.USER_FQDN, t, t);
        }
        if (t.matches("[0-9.]+") || t.contains(":")) {
            return address(Addresses.parseLiteral(t));
        }
        return ascii(IdType.FQDN, t, t);
    }

    public static Identity address(InetAddress a) {
        IdentificationPayload p = IdentificationPayload.of(a);
        return new Identity(p.idType(), p.data());
    }

    /** A distinguished name as DER (a certificate's subject). */
    public static Identity distinguishedName(byte[] der) {
        return new Identity(IdType.DER_ASN1_DN, der);
    }

    private static Identity ascii(IdType type, String value, String original) {
        if (value.isEmpty() || !StandardCharsets.US_ASCII.newEncoder().canEncode(value)) {
            throw new IllegalArgumentException("'" + original + "': names must be non-empty ASCII");
        }
        return new Identity(type, value.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Our ID payload in phase 1: protocol and port zero (RFC 2407 s4.6.2). */
    public IdentificationPayload payload() {
        return new IdentificationPayload(type, 0, 0, data);
    }

    /**
     * Whether the peer's ID payload names this identity. DNS names compare without case;
     * distinguished names as RFC 5280 s7.1 compares them, not byte for byte: strongSwan encodes
     * the DN of its ID with other string types than OpenSSL wrote into the same certificate.
     */
    public boolean matches(IdentificationPayload id) {
        if (!id.idType().equals(type)) {
            return false;
        }
        if (type.equals(IdType.FQDN) || type.equals(IdType.USER_FQDN)) {
            return text(id.data()).equalsIgnoreCase(text(data));
        }
        if (type.equals(IdType.DER_ASN1_DN)) {
            try {
                return new X500Principal(id.data()).equals(new X500Principal(data));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return Arrays.equals(id.data(), data);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    /** How a peer's ID payload is written in logs: the same form {@link #parse} reads. */
    public static String describe(IdentificationPayload id) {
        try {
            return new Identity(id.idType(), id.data()).toString();
        } catch (RuntimeException e) {
            return id.idType() + " " + HexFormat.of().formatHex(id.data());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity i && i.type.equals(type) && Arrays.equals(i.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * type.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        if (type.equals(IdType.IPV4_ADDR) || type.equals(IdType.IPV6_ADDR)) {
            try {
                return Addresses.format(InetAddress.getByAddress(data));
            } catch (IOException e) {
                return HexFormat.of().formatHex(data);
            }
        }
        if (type.equals(IdType.FQDN)) {
            return "@" + new String(data, StandardCharsets.US_ASCII);
        }
        if (type.equals(IdType.USER_FQDN)) {
            return new String(data, StandardCharsets.US_ASCII);
        }
        if (type.equals(IdType.DER_ASN1_DN)) {
            try {
                // "C=XX, O=Example, CN=gw": RDNs in DER order, as written in the config
                List<String> rdns = new ArrayList<>();
                for (RDN rdn : X500Name.getInstance(data).getRDNs()) {
                    AttributeTypeAndValue atv = rdn.getFirst();
                    String name = BCStyle.INSTANCE.oidToDisplayName(atv.getType());
                    rdns.add((name != null ? name : atv.getType().getId()) + "="
                            + IETFUtils.valueToString(atv.getValue()));
                }
                return String.join(", ", rdns);
            } catch (RuntimeException e) {
                return "DN " + HexFormat.of().formatHex(data);
            }
        }
        if (type.equals(IdType.KEY_ID)) {
            return "@#" + HexFormat.of().formatHex(data);
        }
        return type + " " + HexFormat.of().formatHex(data);
    }
}
