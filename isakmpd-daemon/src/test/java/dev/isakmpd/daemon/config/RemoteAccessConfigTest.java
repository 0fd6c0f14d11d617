package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.XauthUsers;
import dev.isakmpd.daemon.Isakmpctl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** XAUTH and Mode-Config keys of a peer, the user file and isakmpctl hash-password. */
class RemoteAccessConfigTest {
    private static final String GATEWAY = """
            [daemon]
            listen = ["127.0.0.1:500"]
            kernel = "memory"

            [peers.rw]
            local = "127.0.0.1:500"
            remote = "any"
            psk = "group secret"
            ike = ["aes128-sha256-modp2048"]
            xauth = "server"
            xauth-users = "users"
            pool = "10.3.0.0/24"
            dns = ["10.1.0.53"]
            dns-domain = "corp.example"
            split-include = ["10.1.0.0/16"]

            [peers.rw.tunnels.net]
            local-subnet = "10.1.0.0/16"
            remote-subnet = "10.3.0.0/24"
            esp = ["aes128-sha1"]
            """;

    @TempDir
    Path dir;

    private DaemonConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(text, "t.toml", dir);
    }

    private String hashLine(String user, String password) throws Exception {
        Path pw = dir.resolve("pw-" + user);
        Files.writeString(pw, password + "\n");
        StringWriter out = new StringWriter();
        CommandLine cl = Isakmpctl.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("hash-password", "--cost", "4", "--password-file", pw.toString(), user));
        return out.toString().strip();
    }

    private void assertError(String text, String expectedPrefix) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text), expectedPrefix);
        assertTrue(e.errors().stream().anyMatch(m -> m.startsWith(expectedPrefix)),
                "expected an error starting\n  " + expectedPrefix + "\ngot\n  " + String.join("\n  ", e.errors()));
    }

    @Test
    void aGatewayWithXauthUsersAndAPool() throws Exception {
        Files.writeString(dir.resolve("users"), "# road warriors\n" + hashLine("alice", "wonderland") + "\n\n"
                + hashLine("bob", "builder") + "\n");
        RemoteAccess ra = parse(GATEWAY).peers().get(0).remoteAccess();
        XauthUsers users = ra.xauthServer().orElseThrow().users();
        assertTrue(users.check("alice", "wonderland".getBytes(StandardCharsets.UTF_8)));
        assertFalse(users.check("alice", "builder".getBytes(StandardCharsets.UTF_8)));
        assertFalse(users.check("carol", "wonderland".getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, ra.xauthServer().get().retries());
        assertEquals(new RemoteAccess.ModeConfig(Subnet.parse("10.3.0.0/24"),
                List.of(Addresses.parseLiteral("10.1.0.53")), Optional.of("corp.example"),
                List.of(Subnet.parse("10.1.0.0/16")), false), ra.modeConfig().orElseThrow());
    }

    @Test
    void anIpv6PoolAlone() throws Exception {
        Files.writeString(dir.resolve("users"), hashLine("alice", "wonderland") + "\n");
        RemoteAccess.ModeConfig mc = parse(GATEWAY.replace("pool = \"10.3.0.0/24\"", "pool = \"2001:db8:3::/112\"")
                .replace("dns = [\"10.1.0.53\"]", "dns = [\"2001:db8:1::53\"]")
                .replace("remote-subnet = \"10.3.0.0/24\"", "remote-subnet = \"2001:db8:3::/112\"")
                .replace("local-subnet = \"10.1.0.0/16\"", "local-subnet = \"2001:db8:1::/64\""))
                .peers().get(0).remoteAccess().modeConfig().orElseThrow();
        assertEquals(List.of(Subnet.parse("2001:db8:3::/112")), mc.pools());
        assertEquals(List.of(Addresses.parseLiteral("2001:db8:1::53")), mc.dns());
    }

    @Test
    void aPoolOfEachFamilyAndDnsServersOfBoth() throws Exception {
        Files.writeString(dir.resolve("users"), hashLine("alice", "wonderland") + "\n");
        RemoteAccess.ModeConfig mc = parse(GATEWAY
                .replace("pool = \"10.3.0.0/24\"", "pool = [\"10.3.0.0/24\", \"2001:db8:3::/112\"]")
                .replace("dns = [\"10.1.0.53\"]", "dns = [\"10.1.0.53\", \"2001:db8:1::53\"]")
                .replace("split-include = [\"10.1.0.0/16\"]", "split-include = [\"10.1.0.0/16\", \"2001:db8:1::/64\"]"))
                .peers().get(0).remoteAccess().modeConfig().orElseThrow();
        assertEquals(new RemoteAccess.ModeConfig(Subnet.parse("10.3.0.0/24"),
                List.of(Addresses.parseLiteral("10.1.0.53"), Addresses.parseLiteral("2001:db8:1::53")),
                Optional.of("corp.example"), List.of(Subnet.parse("10.1.0.0/16"), Subnet.parse("2001:db8:1::/64")),
                false, Optional.of(Subnet.parse("2001:db8:3::/112"))), mc);
        assertEquals(Optional.of(Subnet.parse("2001:db8:3::/112")), mc.pool(false));
    }

    @Test
    void userFileErrorsNameTheFileAndLine() throws Exception {
        Files.writeString(dir.resolve("users"), hashLine("alice", "wonderland") + "\nbob:plaintext\n");
        assertError(GATEWAY, "t.toml:11: peers.rw.xauth-users: xauth-users " + dir.resolve("users")
                + " line 2: user bob has no bcrypt hash");
        Files.writeString(dir.resolve("users"), hashLine("alice", "a") + "\n" + hashLine("alice", "b") + "\n");
        assertError(GATEWAY, "t.toml:11: peers.rw.xauth-users: xauth-users " + dir.resolve("users")
                + " line 2: user alice appears twice");
        Files.delete(dir.resolve("users"));
        assertError(GATEWAY, "t.toml:11: peers.rw.xauth-users: cannot read xauth-users");
    }

    @Test
    void misplacedAndBadKeysAreNamed() throws Exception {
        Files.writeString(dir.resolve("users"), hashLine("alice", "wonderland") + "\n");
        assertError(GATEWAY.replace("xauth-users = \"users\"\n", ""),
                "t.toml:10: peers.rw.xauth: xauth = \"server\" needs xauth-users");
        assertError(GATEWAY.replace("xauth = \"server\"", "xauth = \"maybe\""),
                "t.toml:10: peers.rw.xauth: unknown value 'maybe' (known: server, client)");
        assertError(GATEWAY.replace("pool = \"10.3.0.0/24\"", "pool = \"10.0.0.0/8\""),
                "t.toml:12: peers.rw.pool: must be an IPv4 subnet from /16 to /30 or an IPv6 subnet from /64 to /126");
        assertError(GATEWAY.replace("pool = \"10.3.0.0/24\"", "pool = [\"10.3.0.0/24\", \"2001:db8:3::/56\"]"),
                "t.toml:12: peers.rw.pool[1]: must be an IPv4 subnet from /16 to /30 or an IPv6 subnet from /64 to /126");
        assertError(GATEWAY.replace("pool = \"10.3.0.0/24\"", "pool = [\"10.3.0.0/24\", \"10.4.0.0/24\"]"),
                "t.toml:12: peers.rw.pool[1]: a second IPv4 pool; give one pool of each family at most");
        assertError(GATEWAY.replace("pool = \"10.3.0.0/24\"\n", ""),
                "t.toml:12: peers.rw.dns: is Mode-Config: it needs a pool");
        assertError(GATEWAY.replace("xauth = \"server\"", "xauth-retries = 2"),
                "t.toml:10: peers.rw.xauth-retries: needs xauth = \"server\"");
    }

    @Test
    void hashPasswordRefusesAnEmptyPassword() throws Exception {
        Path pw = dir.resolve("empty");
        Files.writeString(pw, "\n");
        StringWriter err = new StringWriter();
        CommandLine cl = Isakmpctl.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(1, cl.execute("hash-password", "--password-file", pw.toString(), "alice"));
        assertTrue(err.toString().contains("no password given"), err.toString());
    }
}
