package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.runtime.StatusFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our daemon against an unmodified strongSwan 5.9.8 (Debian charon-systemd, swanctl with
 * {@code version = 1}), Main Mode PSK + Quick Mode ESP tunnel, both directions, with and without
 * PFS. It runs inside the project's kernel lab (scripts/lab), because strongSwan can only install
 * its ESP SAs in a kernel that has ESP; see docs/interop.md. Both sides' SA tables are compared:
 * strongSwan's {@code swanctl --list-sas --raw} against our status file.
 */
class StrongSwanInteropIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** The OpenSSL-made test PKI (scripts/make-test-pki.sh). */
    static final Path PKI = ROOT.resolve("isakmpd-core/src/test/resources/pki");

    /**
     * @param certUs our end entity in {@link #PKI} for certificate authentication, null for PSK;
     *     strongSwan's is the matching gw-b (gw-b-ec for an -ec one)
     */
    record Scenario(String name, String initiator, String ike, String esp, String pfs, boolean ipv6, String certUs,
            boolean aggressive, boolean remoteAny) {
        Scenario(String name, String initiator, String ike, String esp, String pfs) {
            this(name, initiator, ike, esp, pfs, false, null, false, false);
        }

        Scenario(String name, String initiator, String ike, String esp, String pfs, boolean ipv6, String certUs) {
            this(name, initiator, ike, esp, pfs, ipv6, certUs, false, false);
        }

        String certSw() {
            return certUs.replace("gw-a", "gw-b");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> scenarios() {
        return Stream.of(
                new Scenario("we-initiate-no-pfs", "us", "aes128-sha256-modp2048", "aes128-sha1", "none"),
                new Scenario("we-initiate-pfs", "us", "aes128-sha256-modp2048", "aes128-sha1", "modp2048"),
                // SHA-1 PRF with AES-256: SKEYID_e must be expanded (RFC 2409 Appendix B)
                new Scenario("sw-initiates-no-pfs", "sw", "aes256-sha1-modp2048", "aes256-sha256", "none"),
                new Scenario("sw-initiates-pfs", "sw", "aes256-sha1-modp1024", "3des-sha1", "modp1024"),
                // elliptic curves: RFC 5903 x|y KE data for phase 1, RFC 8031 X25519 for PFS
                new Scenario("we-initiate-ecp-curve25519", "us", "aes128-sha256-ecp256", "aes128-sha256",
                        "curve25519"),
                // P-521: 66-byte coordinates, the one NIST field whose size is not a whole number of
                // bytes; X448 (RFC 8031: 56 bytes) for PFS; SHA-512 prf
                new Scenario("sw-initiates-ecp521-curve448", "sw", "aes256-sha512-ecp521", "aes256-sha1",
                        "curve448"),
                // brainpool (RFC 6954 numbering), Camellia phase 1 (RFC 4312), RFC 5114 MODP with a
                // 256-bit prime-order subgroup for PFS
                new Scenario("we-initiate-brainpool-camellia", "us", "camellia256-sha384-ecp384bp", "aes192-sha1",
                        "modp2048s256"),
                // IPv6 endpoints (ID_IPV6_ADDR) and IPv6 subnet selectors (ID_IPV6_ADDR_SUBNET)
                new Scenario("sw-initiates-ipv6", "sw", "aes128-sha256-modp2048", "aes128-sha1", "modp2048", true,
                        null),
                // RFC 2409 s5.1 signatures with X.509 certificates: root -> intermediate -> gateways
                new Scenario("we-initiate-rsa-certs", "us", "aes256-sha256-modp2048", "aes128-sha1", "none", false,
                        "gw-a"),
                new Scenario("sw-initiates-rsa-certs", "sw", "aes128-sha1-modp2048", "aes128-sha1", "modp2048",
                        false, "gw-a"),
                new Scenario("we-initiate-ecdsa-certs", "us", "aes128-sha256-ecp256", "aes128-sha256", "none", false,
                        "gw-a-ec"),
                new Scenario("sw-initiates-ecdsa-certs", "sw", "aes128-sha256-ecp256", "aes128-sha1", "none", false,
                        "gw-a-ec"),
                // Aggressive Mode (RFC 2409 s5): PSK with strongSwan initiating, RSA with us initiating
                new Scenario("sw-initiates-aggressive-psk", "sw", "aes128-sha256-modp2048", "aes128-sha1", "none",
                        false, null, true, false),
                new Scenario("we-initiate-aggressive-rsa", "us", "aes256-sha256-modp2048", "aes128-sha1", "none",
                        false, "gw-a", true, false),
                // a road-warrior policy (remote = "any"): strongSwan's address is not in our config
                new Scenario("sw-initiates-to-remote-any", "sw", "aes128-sha256-modp2048", "aes128-sha1", "none",
                        false, "gw-a", false, true))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void negotiatesWithStrongSwan(Scenario s) throws Exception {
        // -Dinterop.only=REGEX runs only the scenarios whose names match (while developing)
        String only = System.getProperty("interop.only");
        Assumptions.assumeTrue(only == null || s.name().matches(only), "not selected by -Dinterop.only");
        Path out = Path.of("target", "interop", s.name()).toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), OurSide.script("memory", "$auto", ""), StandardCharsets.UTF_8);
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("scripts/interop/in-lab.sh").toString(),
                "--lab-timeout", "240",
                "--out", out.toString(), "--psk", "interop secret " + s.name(), "--ike", s.ike(), "--esp", s.esp(),
                "--pfs", s.pfs(), "--initiator", s.initiator(), "--timeout", "120",
                "--ours-cmd", "bash " + out.resolve("ours.sh"),
                "--ours-ready-file", out.resolve("ready").toString(),
                "--ours-status-cmd", statusCommand(out.resolve("ours.status"))));
        if (s.ipv6()) {
            cmd.add("--ipv6");
        }
        if (s.certUs() != null) {
            cmd.addAll(List.of("--pki", PKI.toString(), "--cert-us", s.certUs(), "--cert-sw", s.certSw()));
        }
        if (s.aggressive()) {
            cmd.add("--aggressive");
        }
        if (s.remoteAny()) {
            cmd.add("--ours-remote-any");
        }
        Files.deleteIfExists(out.resolve("ready"));
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);

        Map<String, String> ike = Swanctl.ikeSa(OurSide.read(out.resolve("swanctl-list-sas.txt")));
        Map<String, String> child = Swanctl.childSa(OurSide.read(out.resolve("swanctl-list-sas.txt")));
        StatusFile.Table ours = StatusFile.read(out.resolve("ours-status.txt"));
        List<StatusFile.IsakmpEntry> ourIke = ours.isakmp();
        List<StatusFile.EspEntry> ourEsp = ours.esp();
        assertEquals(1, ourIke.size(), "our ISAKMP SAs");
        assertEquals(2, ourEsp.size(), "our ESP SAs");

        // the ISAKMP SA: same cookies, same algorithms, roles mirrored
        StatusFile.IsakmpEntry i = ourIke.get(0);
        assertEquals(ike.get("initiator-spi"), i.initiatorCookie());
        assertEquals(ike.get("responder-spi"), i.responderCookie());
        assertEquals(s.ike(), i.proposal());
        assertEquals(Swanctl.ikeProposal(ike), s.ike());
        assertEquals(s.initiator().equals("sw") ? "responder" : "initiator", i.role());
        assertEquals(s.initiator().equals("sw"), "yes".equals(ike.get("initiator")));

        // the IPsec SAs: strongSwan's inbound SPI is our outbound one and vice versa
        StatusFile.EspEntry in = ourEsp.stream().filter(e -> e.direction().equals("in")).findFirst().orElseThrow();
        StatusFile.EspEntry outSa = ourEsp.stream().filter(e -> e.direction().equals("out")).findFirst().orElseThrow();
        assertEquals(child.get("spi-in"), outSa.spi());
        assertEquals(child.get("spi-out"), in.spi());
        assertEquals(s.esp(), in.algorithms());
        assertEquals(s.esp(), Swanctl.espProposal(child));
        assertEquals(!s.pfs().equals("none"), child.containsKey("dh-group"));
        if (!s.pfs().equals("none")) {
            assertEquals(s.pfs(), Swanctl.groupName(child.get("dh-group")));
        }
        // a first contact from our side says so in MM5 (RFC 2407 s4.6.3.3), and strongSwan parses it
        String charon = OurSide.read(out.resolve("charon.log"));
        if (s.aggressive()) {
            assertTrue(charon.contains(s.initiator().equals("us") ? "parsed AGGRESSIVE request 0 [ SA KE No"
                    : "parsed AGGRESSIVE response 0 [ SA KE No"), "phase 1 in Aggressive Mode");
        } else if (s.initiator().equals("us")) {
            String proof = s.certUs() == null ? "HASH" : "CERT CERT SIG";
            assertTrue(charon.contains("parsed ID_PROT request 0 [ ID " + proof + " N(INITIAL_CONTACT) ]"),
                    "MM5 as parsed");
        }
        if (s.certUs() != null) {
            // each side names the method it verified the other with
            boolean ec = s.certUs().endsWith("-ec");
            assertTrue(charon.contains("authentication of 'C=XX, O=isakmpd test, CN=gw-a.example.org' with "
                    + (ec ? "ECDSA_WITH_NULL" : "RSA_EMSA_PKCS1_NULL") + " successful"), "strongSwan verified us");
            String ourLog = OurSide.read(out.resolve("ours.log"));
            assertTrue(ourLog.contains("peer authenticated as 'C=XX, O=isakmpd test, CN=gw-b.example.org' ("
                    + (ec ? "ECDSA-256" : "RSA signatures") + " of"), "we verified strongSwan");
        }
        // the guest is linux-x86_64, where crypto = "auto" computes with ACCP (docs/oakley.md)
        assertTrue(OurSide.read(out.resolve("ours.log")).contains("crypto: accp ("), "our daemon runs on ACCP");
        // and strongSwan's kernel really holds them
        String xfrm = OurSide.read(out.resolve("ip-xfrm-state.txt"));
        assertTrue(xfrm.contains("spi 0x" + outSa.spi()) && xfrm.contains("spi 0x" + in.spi()), xfrm);
    }

    /**
     * strongSwan presents a certificate its CA has revoked: our CRL (intermediate.crl.pem of the
     * test PKI) refuses it with INVALID-CERTIFICATE and a line that says why; no SA comes up.
     */
    @Test
    void aRevokedCertificateIsRefusedThroughTheCrl() throws Exception {
        String only = System.getProperty("interop.only");
        Assumptions.assumeTrue(only == null || "sw-offers-revoked-cert".matches(only), "not selected");
        Path out = Path.of("target", "interop", "sw-offers-revoked-cert").toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), OurSide.script("memory", "$auto", ""), StandardCharsets.UTF_8);
        Files.deleteIfExists(out.resolve("ready"));
        List<String> cmd = List.of(ROOT.resolve("scripts/interop/in-lab.sh").toString(), "--lab-timeout", "150",
                "--out", out.toString(), "--psk", "unused", "--ike", "aes128-sha256-modp2048", "--esp", "aes128-sha1",
                "--pfs", "none", "--initiator", "sw", "--timeout", "40", "--pki", PKI.toString(), "--cert-us", "gw-a",
                "--cert-sw", "revoked", "--ours-cmd", "bash " + out.resolve("ours.sh"),
                "--ours-ready-file", out.resolve("ready").toString());
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(200, TimeUnit.SECONDS), "lab did not finish");
        assertTrue(OurSide.read(out.resolve("result")).startsWith("FAIL"), "no SA may come up");
        String ours = OurSide.read(out.resolve("ours.log"));
        assertTrue(ours.contains("certificate 'CN=revoked.example.org, O=isakmpd test, C=XX' refused: it is revoked"),
                "our log names the revoked certificate");
        assertTrue(ours.contains("(notify INVALID-CERTIFICATE)"), "and the notify");
    }

    /** Our responder installs its SAs on QM3, just after strongSwan shows them: wait for both lines. */
    private static String statusCommand(Path status) {
        return "for i in $(seq 1 50); do [ \"$(grep -c '^esp ' " + status + " 2>/dev/null)\" = 2 ] && break; "
                + "sleep 0.1; done; cat " + status;
    }
}
