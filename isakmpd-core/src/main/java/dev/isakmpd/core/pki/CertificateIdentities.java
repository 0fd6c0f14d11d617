package dev.isakmpd.core.pki;

import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.registry.IdType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Which identities a certificate vouches for (RFC 4945 s3.1): its subject DN for ID_DER_ASN1_DN,
 * and its subjectAltName entries for ID_FQDN (dNSName), ID_USER_FQDN (rfc822Name) and
 * ID_IPV4_ADDR/ID_IPV6_ADDR (iPAddress).
 */
public final class CertificateIdentities {
    private static final int RFC822_NAME = 1;
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private CertificateIdentities() {
    }

    public static boolean vouchesFor(X509Certificate cert, Identity id) {
        return all(cert).stream().anyMatch(c -> c.matches(id.payload()));
    }

    /** The subject DN (when not empty) and every subjectAltName we can express as an ID. */
    public static List<Identity> all(X509Certificate cert) {
        List<Identity> out = new ArrayList<>();
        byte[] subject = cert.getSubjectX500Principal().getEncoded();
        if (subject.length > 2) {
            out.add(Identity.distinguishedName(subject));
        }
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return out;
        }
        if (sans == null) {
            return out;
        }
        for (List<?> san : sans) {
            int kind = (Integer) san.get(0);
            Object value = san.get(1);
            try {
                if (kind == DNS_NAME && value instanceof String s) {
                    out.add(Identity.parse("@" + s));
                } else if (kind == RFC822_NAME && value instanceof String s && s.contains("@")) {
                    out.add(Identity.parse(s));
                } else if (kind == IP_ADDRESS && value instanceof String s) {
                    out.add(Identity.address(InetAddress.getByName(s))); // an IP literal: no DNS lookup
                }
            } catch (IllegalArgumentException | UnknownHostException e) {
                // an entry no ID payload can name: skipped
            }
        }
        return out;
    }

    /** The identity we present when none is configured: the subject DN (as strongSwan does). */
    public static Identity defaultIdentity(X509Certificate cert) {
        return all(cert).stream().filter(i -> i.type().equals(IdType.DER_ASN1_DN)).findFirst()
                .orElseGet(() -> all(cert).stream().findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "certificate '" + cert.getSubjectX500Principal() + "' names no identity")));
    }
}
