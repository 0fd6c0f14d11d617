package dev.isakmpd.daemon.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's black hole, in the kernel lab against strongSwan 5.9.8: our ISAKMP SA lifetime
 * (40 s) is far shorter than strongSwan's (4 h). Our daemon replaces the ISAKMP SA before it
 * expires (make-before-break) and deletes the old one, three times over; strongSwan, the Main
 * Mode responder of each new SA, adopts its CHILD_SAs into it, so the one IPsec SA pair carries a
 * ping every 0.2 s throughout with no reply missing for more than a second.
 */
class Phase1RekeyInteropIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Set<String> spis(String ipXfrmState) {
        Matcher m = Pattern.compile("spi (0x[0-9a-f]{8})").matcher(ipXfrmState);
        return m.results().map(r -> r.group(1)).collect(Collectors.toSet());
    }

    @Test
    void ipsecSasCarryTrafficAcrossThreeIsakmpSaLifetimes() throws Exception {
        Path out = Path.of("target", "interop", "phase1-rekey").toAbsolutePath();
        Files.createDirectories(out);
        Files.writeString(out.resolve("ours.sh"), OurSide.script("pfkey", "add", "ike-lifetime = \"40s\"", ""),
                StandardCharsets.UTF_8);
        Files.deleteIfExists(out.resolve("ready"));
        List<String> cmd = List.of(ROOT.resolve("scripts/interop/in-lab.sh").toString(), "--lab-timeout", "420",
                "--out", out.toString(), "--psk", "phase-1 rekey", "--ike", "aes128-sha256-modp2048",
                "--esp", "aes128-sha1", "--pfs", "none", "--initiator", "us", "--ping", "--ping-for", "130",
                "--timeout", "150",
                "--ours-cmd", "bash " + out.resolve("ours.sh"), "--ours-ready-file", out.resolve("ready").toString());
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(out.resolve("harness.log").toFile()).start();
        assertTrue(p.waitFor(480, TimeUnit.SECONDS), "lab did not finish");
        String result = OurSide.read(out.resolve("result"));
        assertEquals(0, p.exitValue(), () -> "scenario failed: " + result + "; see " + out);

        String ours = OurSide.read(out.resolve("ours.log"));
        long rekeys = Pattern.compile("negotiating a new ISAKMP SA with the peer").matcher(ours).results().count();
        assertTrue(rekeys >= 3, "ISAKMP SA rekeys: " + rekeys);
        // each new SA was up before the old one went (at 40 s, 4-6 s after the rekey: sooner than
        // the 10 s overlap), and the old one went with a Delete that strongSwan received
        long superseded = Pattern.compile("superseded by ISAKMP SA").matcher(ours).results().count();
        assertTrue(superseded >= 3 && superseded >= rekeys - 1, superseded + " of " + rekeys + " new SAs up");
        assertFalse(ours.contains("Main Mode: no valid answer"), "a rekey failed");
        String charon = OurSide.read(out.resolve("charon.log"));
        long adopted = Pattern.compile("detected reauth of existing IKE_SA, adopting 1 children").matcher(charon)
                .results().count();
        assertEquals(superseded, adopted, "strongSwan adopted its CHILD_SA into each new IKE_SA");
        assertTrue(charon.contains("received DELETE for IKE_SA"), "our Delete for an old ISAKMP SA");
        // the pair of the first check is the pair of the last, on both sides
        Set<String> first = spis(OurSide.read(out.resolve("ip-xfrm-state-stats-us.txt")));
        assertEquals(2, first.size(), first.toString());
        assertEquals(first, spis(OurSide.read(out.resolve("ip-xfrm-state-stats-us-long.txt"))));
        assertEquals(first, spis(OurSide.read(out.resolve("ip-xfrm-state-stats-sw-long.txt"))));
    }
}
