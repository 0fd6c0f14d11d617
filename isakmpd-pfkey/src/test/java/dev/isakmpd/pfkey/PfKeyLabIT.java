package dev.isakmpd.pfkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code dev.isakmpd.pfkey.lab.PfKeyLabSuite} inside the kernel lab (scripts/lab/run-in-uml.sh,
 * Linux 6.1 with af_key): register, getspi, update/add, dump/get against {@code ip xfrm state},
 * errors, SPD entries, ACQUIRE, soft/hard EXPIRE, foreign messages, clean-up. Output in
 * target/lab-suite/ (suite.log, vectors/).
 */
class PfKeyLabIT {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final List<String> CHECKS = List.of("open", "register: ESP algorithms, no AEAD", "flush",
            "getspi in a range", "update the GETSPI SA, add the outbound one", "dump finds exactly what was written",
            "get one SA", "errors name the message and the reason",
            "SHA-2 through PF_KEY: sha256 is truncated to 96 bits, sha384/512 are not", "SPD entries for a tunnel",
            "ACQUIRE when traffic hits the policy", "soft and hard EXPIRE for a short lifetime",
            "deleting while the kernel sends EXPIREs does not block", "promiscuous mode shows other sockets' requests",
            "other programs' messages are seen but are no events", "delete everything we created",
            "AH+ESP+IPComp bundle: SAs innermost first, ipsecrequests, one delete for all",
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
                "--", ROOT.resolve("scripts/lab/pfkey-suite.sh").toString(), out.toString(), cp)
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
