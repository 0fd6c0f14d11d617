package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/** "isakmpd demo" from the jar, run from another directory: built-in configs, exit 0, SAs shown. */
@Isolated
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void demoNegotiatesShowsAndStops() throws Exception {
        Path out = dir.resolve("demo.out");
        Path err = dir.resolve("demo.err");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                DaemonProcess.JAR.toAbsolutePath().toString(), "demo")
                .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "demo still running after 60 s");
            String stdout = Files.readString(out);
            String all = stdout + "\n--- stderr ---\n" + Files.readString(err);
            assertEquals(0, p.exitValue(), all);
            assertTrue(stdout.contains("=== demo-a ===") && stdout.contains("=== demo-b ==="), all);
            assertTrue(stdout.contains("ISAKMP SA with gw-b: initiator"), all);
            assertTrue(stdout.contains("ISAKMP SA with gw-a: responder"), all);
            assertTrue(stdout.matches("(?s).*ESP out spi=0x[0-9a-f]{8} .*enc-key-fp=[0-9a-f]{8} auth-key-fp=[0-9a-f]{8}.*"), all);
            assertTrue(stdout.contains("pair up"), all);
            assertTrue(stdout.contains("demo-b removed its ESP SAs on demo-a's Delete."), all);
            assertTrue(all.contains("isakmpd.ike"), "the negotiation's INFO lines are shown\n" + all);
        } finally {
            p.destroyForcibly();
        }
    }
}
