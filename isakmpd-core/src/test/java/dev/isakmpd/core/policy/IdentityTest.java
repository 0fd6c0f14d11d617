package dev.isakmpd.core.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.registry.IdType;
import dev.isakmpd.core.wire.IdentificationPayload;
import java.io.InputStream;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;

/** Identities written as strongSwan admins write them, and their ID payloads (RFC 2407 s4.6.2). */
class IdentityTest {
    @Test
    void eachSpellingGivesItsIdType() {
        assertEquals(IdType.IPV4_ADDR, Identity.parse("198.51.100.1").type());
        assertEquals(IdType.IPV6_ADDR, Identity.parse("2001:db8::1").type());
        assertEquals(IdType.FQDN, Identity.parse("@gw.example.org").type());
        assertEquals(IdType.FQDN, Identity.parse("gw.example.org").type());
        assertEquals(IdType.USER_FQDN, Identity.parse("alice@example.org").type());
        assertEquals(IdType.KEY_ID, Identity.parse("@#0a0b").type());
        assertEquals(IdType.DER_ASN1_DN, Identity.parse("C=XX, O=isakmpd test, CN=gw").type());
    }

    @Test
    void distinguishedNamesKeepTheOrderWrittenWhichIsTheDerOrder() throws Exception {
        Identity dn = Identity.parse("C=XX, O=isakmpd test, CN=gw-a.example.org");
        // the subject OpenSSL wrote for -subj "/C=XX/O=isakmpd test/CN=gw-a.example.org"
        try (InputStream in = IdentityTest.class.getResourceAsStream("/pki/gw-a.crt.pem")) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            assertArrayEquals(cert.getSubjectX500Principal().getEncoded(), dn.data());
        }
        assertEquals("C=XX, O=isakmpd test, CN=gw-a.example.org", dn.toString());
    }

    @Test
    void namesMatchWithoutCaseAddressesExactly() {
        assertTrue(Identity.parse("@GW.example.org").matches(IdentificationPayload.fqdn("gw.EXAMPLE.org")));
        assertFalse(Identity.parse("@gw.example.org").matches(IdentificationPayload.userFqdn("gw.example.org")));
        assertFalse(Identity.parse("198.51.100.1").matches(
                IdentificationPayload.of(Addresses.parseLiteral("198.51.100.2"))));
    }

    @Test
    void distinguishedNamesMatchAcrossStringTypesAsRfc5280Compares() throws Exception {
        // strongSwan's ID for "C=XX, O=isakmpd test, CN=gw-a.example.org" uses PrintableString
        // where OpenSSL's certificate subject has UTF8String: the same name (seen in the lab).
        X500Name printable = new X500Name(new RDN[] {
            new RDN(BCStyle.C, new DERPrintableString("XX")),
            new RDN(BCStyle.O, new DERPrintableString("isakmpd test")),
            new RDN(BCStyle.CN, new DERPrintableString("GW-A.example.org"))});
        IdentificationPayload id = new IdentificationPayload(IdType.DER_ASN1_DN, 0, 0, printable.getEncoded());
        assertTrue(Identity.parse("C=XX, O=isakmpd test, CN=gw-a.example.org").matches(id));
        assertFalse(Identity.parse("C=XX, O=isakmpd test, CN=gw-b.example.org").matches(id));
    }

    @Test
    void nonsenseIsRefusedWithAReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Identity.parse("@#xyz")).getMessage()
                .contains("hex"));
        assertThrows(IllegalArgumentException.class, () -> Identity.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> Identity.parse("@"));
    }
}
