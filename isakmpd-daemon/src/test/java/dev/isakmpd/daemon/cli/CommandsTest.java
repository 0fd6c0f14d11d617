package dev.isakmpd.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.daemon.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {
    static final String SECRET = "an extremely secret passphrase";

    static final String CONFIG = """
            [daemon]
            listen = ["127.0.0.1:15500"]
            kernel = "memory"

            [peers.gw-b]
            local = "127.0.0.1:15500"
            remote = "127.0.0.2:15500"
            psk = "an extremely secret passphrase"
            ike = ["aes128-sha1-modp2048"]

            [peers.gw-b.tunnels.net]
            local-subnet = "10.1.0.0/16"
            remote-subnet = "10.2.0.0/16"
            esp = ["aes128-sha1"]
            """;

    @TempDir
    Path dir;

    record Result(int exitCode, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Result(rc, out.toString(), err.toString());
    }

    Path write(String text) throws Exception {
        Path f = dir.resolve("isakmpd.toml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void haWitnessRefusesAShortKeyAndABadAddress() throws Exception {
        Path key = dir.resolve("ha.key");
        Files.writeString(key, "short\n");
        Result r = run("ha-witness", "--listen", "127.0.0.1:7800", "--key-file", key.toString(), "127.0.0.2",
                "127.0.0.3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--key-file " + key + ": its first line holds 5 bytes, at least 16 are needed"),
                r.err());
        r = run("ha-witness", "--listen", "127.0.0.1:x", "--key-file", key.toString(), "127.0.0.2", "127.0.0.3");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("--listen 127.0.0.1:x: "), r.err());
    }

    @Test
    void checkPrintsThePolicyWithoutSecrets() throws Exception {
        Path f = write(CONFIG);
        Result r = run("check", "--config", f.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("peer gw-b"), r.out());
        assertTrue(r.out().contains("ike           aes128-sha1-modp2048"), r.out());
        assertTrue(r.out().contains("selectors     10.1.0.0/16 === 10.2.0.0/16"), r.out());
        assertTrue(r.out().contains("psk           (secret, inline)"), r.out());
        assertTrue(r.out().contains("ike-lifetime  3h"), r.out());
        assertTrue(r.out().endsWith(f + ": OK" + System.lineSeparator()), r.out());
        assertFalse((r.out() + r.err()).contains("secret passphrase"));
    }

    @Test
    void checkWarnsAboutAnInlinePskInAFileEveryoneCanRead() throws Exception {
        Path f = write(CONFIG);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        String warning = "warning: " + f + ":8: peers.gw-b.psk: an inline pre-shared key in " + f
                + ", which every user can read; chmod 600 it or use psk-file";
        assertTrue(run("check", "--config", f.toString()).err().contains(warning));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertFalse(run("check", "--config", f.toString()).err().contains("inline pre-shared key"));
    }

    @Test
    void checkWarnsAboutWhatRunWouldMeetOnThisHostAndStrictRefuses() throws Exception {
        try (DatagramSocket holder = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = holder.getLocalPort();
            Path f = write(CONFIG.replace("127.0.0.1:15500", "127.0.0.1:" + port));
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            Result r = run("check", "--config", f.toString());
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.err().contains("warning: " + f + ": daemon.listen: cannot bind UDP 127.0.0.1:" + port
                    + ": Address already in use (another IKE daemon"), r.err());
            Result strict = run("check", "--strict", "--config", f.toString());
            assertEquals(2, strict.exitCode());
            assertTrue(strict.err().endsWith(f + ": 1 warning(s), refused (--strict)" + System.lineSeparator()),
                    strict.err());
        }
        Path ok = write(CONFIG);
        Files.setPosixFilePermissions(ok, PosixFilePermissions.fromString("rw-------"));
        Result r = run("check", "--strict", "--config", ok.toString());
        assertEquals(0, r.exitCode(), "nothing to warn about: " + r.err());
    }

    @Test
    void checkReportsEveryErrorAndFails() throws Exception {
        Path f = write(CONFIG.replace("aes128-sha1-modp2048", "aes128-sha1-modp9999").replace("kernel", "kernal"));
        Result r = run("check", "--config", f.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(f + ":3: daemon.kernal: unknown key 'kernal'"), r.err());
        assertTrue(r.err().contains(f + ":9: peers.gw-b.ike[0]: unknown DH group 'modp9999'"), r.err());
        assertTrue(r.err().contains("2 error(s)"), r.err());
        assertEquals("", r.out());
        assertFalse(r.err().contains("secret passphrase"));
    }

    @Test
    void runRefusesABadConfigWithoutStarting() throws Exception {
        Path f = write(CONFIG.replace("remote = \"127.0.0.2:15500\"", "remote = \"127.0.0.2:99999\""));
        Result r = run("run", "--config", f.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains(f + ":7: peers.gw-b.remote: bad port in '127.0.0.2:99999'"), r.err());
        assertTrue(r.err().contains("not started: 1 configuration error(s)"), r.err());
    }

    @Test
    void runWithPfkeyOnAKernelWithoutItFailsAtStartAndSaysWhatToDo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(java.nio.file.Files.exists(Path.of("/proc/net/pfkey")),
                "this kernel has PF_KEY (the kernel lab tests that case)");
        Path f = write(CONFIG.replace("kernel = \"memory\"", "kernel = \"pfkey\""));
        Result r = run("run", "--config", f.toString(), "--log-level", "debug", "--foreground");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("isakmpd: not started: " + f + ": daemon.kernel = \"pfkey\": socket(PF_KEY, "
                + "SOCK_RAW, PF_KEY_V2) failed: this kernel has no PF_KEY (CONFIG_NET_KEY); load it with \"modprobe"
                + " af_key\""), r.err());
        assertTrue(r.err().contains("set kernel = \"memory\""), r.err());
    }

    @Test
    void missingFileIsAConfigError() {
        Result r = run("check", "--config", dir.resolve("nope.toml").toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("nope.toml: cannot read"), r.err());
    }

    @Test
    void withoutConfigTheDefaultPathIsRead() {
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(Path.of("/etc/isakmpd/isakmpd.toml")),
                "this host has an isakmpd configuration");
        Result r = run("check");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("/etc/isakmpd/isakmpd.toml: cannot read"), r.err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, run().exitCode());
        assertEquals(2, run("run", "--config", "x", "--log-level", "loud").exitCode());
        assertEquals(0, run("--help").exitCode());
    }
}
