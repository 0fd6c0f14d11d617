package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code dev.isakmpd.xfrm.lab.XfrmLabSuite} inside the kernel lab (scripts/lab/run-in-uml.sh,
 * Linux 6.1 with xfrm_user and ESP), one boot for the whole suite: ALLOCSPI/UPDSA/NEWSA, dumps and
 * GETSA against {@code ip xfrm state}, errors, RFC 4868 truncation, AEAD, policies against
 * {@code ip xfrm policy}, ACQUIRE, soft/hard EXPIRE, an AH+ESP+IPComp bundle, other programs'
 * entries, crash clean-up.
 * Output in target/lab-suite/ (suite.log, vectors/).
 */
class XfrmLabIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> CHECKS = List.of("open, nothing of ours to clean", "allocspi in a range",
            "update the ALLOCSPI SA, add the outbound one",
            "dump finds exactly what was written, ip xfrm state agrees", "get one SA",
            "errors name the message and the reason",
            "RFC 4868 truncation: sha256 128, sha384 192, sha512 256 bits; md5 96",
            "AEAD: rfc4106(gcm(aes)) with its ICV length", "policies out/in/fwd with an ESP tunnel template",
            "ACQUIRE when traffic hits the policy", "soft and hard EXPIRE for a short lifetime",
            "deleting while the kernel sends EXPIREs does not block", "delete everything we created",
            "AH+ESP+IPComp bundle: SAs innermost first, templates, one delete for all",
            "other programs' SAs and policies: no events, not listed",
            "after a crash, a new instance removes ours and only ours",
            "every kernel message re-encodes to the same bytes");

    @Test
    void suitePassesInTheKernelLab() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Path out = target.resolve("lab-suite");
        Files.createDirectories(out);
        String cp = target.resolve("test-classes") + ":" + target.resolve("classes") + ":"
                + Files.readString(target.resolve("lab-classpath.txt"), StandardCharsets.UTF_8).strip();
        Path log = out.resolve("suite.log");
        Process p = new ProcessBuilder(ROOT.resolve("scripts/lab/run-in-uml.sh").toString(), "--timeout", "240",
                "--", ROOT.resolve("scripts/lab/xfrm-suite.sh").toString(), out.toString(), cp)
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "lab did not finish; see " + log);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        for (String c : CHECKS) {
            assertTrue(text.contains("PASS " + c + " ("), () -> "check \"" + c + "\" did not pass; see " + log
                    + "\n" + text);
        }
        assertEquals(0, p.exitValue(), () -> "suite failed; see " + log + "\n" + text);
    }
}
