package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * daemon.crypto where ACCP's native library does not load, as on the BSDs: simulated with ACCP's
 * own switch that skips the bundled library. "auto" falls back to Bouncy Castle and says why;
 * "accp" is a configuration error that names file, line and key.
 */
@Isolated
class CryptoFallbackIT {
    /** ACCP then looks for its library on the system path only, where there is none. */
    private static final String NO_BUNDLED_LIBRARY = "-Dcom.amazon.corretto.crypto.provider.useExternalLib=true";

    @TempDir
    Path dir;

    private String check(String crypto, int expectedExit) throws Exception {
        Path conf = dir.resolve(crypto + ".toml");
        Files.writeString(conf, Configs.daemon("127.0.0.1:" + Ports.freeUdp("127.0.0.1"), null, "off",
                "crypto = \"" + crypto + "\"\n"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                NO_BUNDLED_LIBRARY, "-jar", DaemonProcess.JAR.toString(), "check", "--config", conf.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "check did not finish");
        assertEquals(expectedExit, p.exitValue(), out);
        return out;
    }

    @Test
    void autoFallsBackToBouncyCastleAndAccpRefuses() throws Exception {
        String auto = check("auto", 0);
        assertTrue(auto.contains("\n  crypto        bouncycastle (auto: ACCP unavailable: its native library did not "
                + "load ("), auto);
        String accp = check("accp", 2);
        assertTrue(accp.contains("accp.toml:5: daemon.crypto: Amazon Corretto Crypto Provider cannot be used here: "
                + "its native library did not load ("), accp);
    }
}
