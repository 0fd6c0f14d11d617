package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.runtime.StatusFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Our daemon against libreswan 4.10's pluto (IKEv1, Debian's build, unpacked by
 * scripts/install-deps.sh because it conflicts with strongSwan's packages), inside the kernel lab
 * where pluto installs real ESP SAs: Main Mode PSK aes128-sha256-modp2048, Quick Mode aes128-sha1
 * with PFS modp2048, each side initiating once. Checks that both sides hold the same SPIs and keys,
 * and the authentication method pluto names.
 */
@Execution(ExecutionMode.CONCURRENT)
class LibreswanInteropIT {
    static final Path LIBRESWAN = Path.of(System.getenv().getOrDefault("LIBRESWAN_DIR",
            "/opt/isakmpd-interop/libreswan-4.10"));

    /**
     * @param traffic issue 10's lifetimes against libreswan, once: our ISAKMP SA and IPsec SA
     *     lifetimes are 20 s (pluto's: 1 h and 8 h), and a ping every 0.2 s for three of them
     *     crosses our phase-1 and phase-2 rekeys with no reply missing for more than a second
     */
    @ParameterizedTest(name = "{0} initiates, {1}")
    @CsvSource({"us, psk, true", "lsw, psk, false", "us, rsa-certs, false", "lsw, rsa-certs, false"})
    void negotiatesWithLibreswan(String initiator, String auth, boolean traffic) throws Exception {
        String only = System.getProperty("interop.only");
        Assumptions.assumeTrue(only == null || ("libreswan-" + initiator + "-" + auth).matches(only),
                "not selected by -Dinterop.only");
        Path out = Path.of("target", "interop", "libreswan-" + initiator + "-" + auth).toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), traffic
                ? OurSide.script("xfrm", "$auto", "ike-lifetime = \"20s\"", "lifetime = \"20s\"")
                : OurSide.script("memory", "$auto", ""), StandardCharsets.UTF_8);
        List<String> cmd = List.of(StrongSwanInteropIT.ROOT.resolve("scripts/lab/run-in-uml.sh").toString(),
                "--timeout", "240", "--", StrongSwanInteropIT.ROOT.resolve("scripts/interop/libreswan-scenario.sh")
                        .toString(),
                "--out", out.toString(), "--lsw", LIBRESWAN.toString(), "--psk", "libreswan interop " + initiator,
                "--initiator", initiator, "--timeout", "150", "--ours-cmd", "bash " + out.resolve("ours.sh"),
                "--ours-ready-file", out.resolve("ready").toString(),
                "--ours-status-cmd", "cat " + out.resolve("ours.status"));
        cmd = new java.util.ArrayList<>(cmd);
        if (auth.equals("rsa-certs")) {
            cmd.addAll(List.of("--pki", StrongSwanInteropIT.PKI.toString()));
        }
        if (traffic) {
            cmd.addAll(List.of("--ping-for", Phase1RekeyInteropIT.PING_FOR));
        }
        Process p = new ProcessBuilder(cmd).directory(StrongSwanInteropIT.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);

        StatusFile.Table ours = StatusFile.read(out.resolve("ours-status.txt"));
        assertEquals(1, ours.isakmp().size(), "our ISAKMP SAs");
        StatusFile.IsakmpEntry ike = ours.isakmp().get(0);
        assertEquals("aes128-sha256-modp2048", ike.proposal());
        assertEquals(initiator.equals("us") ? "initiator" : "responder", ike.role());
        assertEquals(2, ours.esp().size(), "our ESP SAs");
        // pluto's kernel at the end, or with traffic at the first ping (the pair is long replaced at the end)
        String xfrm = OurSide.read(out.resolve(traffic ? "ip-xfrm-state-stats-sw.txt" : "ip-xfrm-state.txt"));
        for (StatusFile.EspEntry e : ours.esp()) {
            assertEquals("aes128-sha1", e.algorithms());
            assertTrue(xfrm.contains("spi 0x" + e.spi()), "pluto's kernel lacks SPI " + e.spi() + ":\n" + xfrm);
        }
        if (!traffic) {
            // the keys too: pluto's kernel holds those we derived (their fingerprints, as in our status file)
            Map<String, List<String>> keys = StrongSwanInteropIT.xfrmKeyFingerprints(xfrm);
            for (StatusFile.EspEntry e : ours.esp()) {
                assertEquals(List.of(e.encryptionKeyFingerprint(), e.authenticationKeyFingerprint()), keys.get(e.spi()),
                        "key fingerprints of SPI " + e.spi() + " in pluto's kernel and ours");
            }
        }
        String pluto = OurSide.read(out.resolve("pluto.log"));
        if (traffic) {
            assertRekeyedByUsWithTrafficFlowing(out, pluto);
        }
        // the method pluto authenticated us with, as it names it
        assertTrue(pluto.contains("SA established {auth=" + (auth.equals("psk") ? "PRESHARED_KEY" : "RSA_SIG")),
                "pluto.log names the method");
        assertTrue(pluto.contains("IPsec SA established tunnel mode"), "pluto.log");
        assertTrue(pluto.contains("group=MODP2048"), "pluto.log");
        if (auth.equals("rsa-certs")) {
            assertTrue(pluto.contains("authenticated peer '2048-bit RSA with SHA1' signature using peer certificate "
                    + "'C=XX, O=isakmpd test, CN=gw-a.example.org'"), "pluto names the method it verified us with");
            assertTrue(OurSide.read(out.resolve("ours.log")).contains("peer authenticated as 'C=XX, O=isakmpd test, "
                    + "CN=gw-b.example.org' (RSA signatures of"), "we verified pluto");
        }
    }

    /** Every rekey, of either SA, was ours; pluto answered each and started none; new pairs carried the pings. */
    private static void assertRekeyedByUsWithTrafficFlowing(Path out, String pluto) throws Exception {
        String ours = OurSide.read(out.resolve("ours.log"));
        long rekeys = EndToEnd.count("negotiating a new ISAKMP SA with the peer", ours);
        assertTrue(rekeys >= 3, "ISAKMP SA rekeys: " + rekeys);
        assertTrue(EndToEnd.count("superseded by ISAKMP SA", ours) >= 3, "new ISAKMP SAs up before the old went");
        assertTrue(EndToEnd.count("responding to Main Mode", pluto) >= rekeys, "pluto answered each Main Mode");
        long qmRekeys = EndToEnd.count(EndToEnd.QM_REKEY, ours);
        assertTrue(qmRekeys >= 3, "Quick Mode rekeys started by us: " + qmRekeys);
        assertTrue(EndToEnd.count("responding to Quick Mode proposal", pluto) >= qmRekeys + 1, pluto);
        assertEquals(0, EndToEnd.count("initiating", pluto), "pluto started an exchange");
        assertEquals(2 * (qmRekeys + 1), EndToEnd.establishedSpis(ours).size(), "every pair has new SPIs");
        java.util.Set<String> first = java.util.Set.copyOf(EndToEnd.spis(OurSide.read(
                out.resolve("ip-xfrm-state-stats-us.txt"))));
        for (String side : List.of("us", "sw")) {
            String state = OurSide.read(out.resolve("ip-xfrm-state-stats-" + side + "-long.txt"));
            assertTrue(EndToEnd.newSasCountingPackets(state, first) >= 2, side + ": new SAs counting packets\n" + state);
        }
    }
}
