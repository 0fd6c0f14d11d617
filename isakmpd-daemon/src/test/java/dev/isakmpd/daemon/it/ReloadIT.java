package dev.isakmpd.daemon.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * isakmpctl reload and SIGHUP on a running daemon with three tunnels: an unchanged tunnel keeps
 * its SPIs, a changed one is renegotiated, a removed one deleted on both sides, an added one comes
 * up; a broken configuration or one that needs a restart is refused and nothing changes.
 */
@Isolated
class ReloadIT {
    private static final String PSK = "reload it psk";
    private static final Duration NEGOTIATION = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private DaemonProcess a;
    private DaemonProcess b;

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private static String tunnel(String name, String local, String remote, String esp) {
        return "\n[peers.P.tunnels." + name + "]\nlocal-subnet = \"" + local + "\"\nremote-subnet = \"" + remote
                + "\"\nesp = [" + esp + "]\n";
    }

    private String configA(String listen, String remote, String... tunnels) {
        String peer = "\n[peers.gw-b]\nlocal = \"" + listen + "\"\nremote = \"" + remote + "\"\npsk = \"" + PSK
                + "\"\nike = [\"aes128-sha256-modp2048\"]\nauto = \"start\"\n";
        return Configs.daemon(listen, null, dir.resolve("a.ctl").toString(), "") + peer
                + String.join("", tunnels).replace("peers.P.", "peers.gw-b.");
    }

    /** SPIs and algorithms of A's IPsec SAs, by tunnel. */
    private static Map<String, List<String>> byTunnel(JsonNode sas) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode s : sas.path("ipsec")) {
            out.computeIfAbsent(s.path("tunnel").asText(), k -> new ArrayList<>())
                    .add(s.path("spi").asText() + " " + s.path("algorithms").asText());
        }
        out.values().forEach(l -> l.sort(null));
        return out;
    }

    @Test
    void reloadAppliesTheDifferenceAndRefusesWhatIsWrong() throws Exception {
        String ea = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        String eb = "127.0.0.2:" + Ports.freeUdp("127.0.0.2");
        String keep = tunnel("keep", "10.1.0.0/16", "10.2.0.0/16", "\"aes128-sha1\"");
        String change = tunnel("change", "10.11.0.0/16", "10.12.0.0/16", "\"aes128-sha1\"");
        String drop = tunnel("drop", "10.21.0.0/16", "10.22.0.0/16", "\"aes128-sha1\"");
        String changed = tunnel("change", "10.11.0.0/16", "10.12.0.0/16", "\"aes256-sha256\"");
        String add = tunnel("add", "10.31.0.0/16", "10.32.0.0/16", "\"aes128-sha1\"");
        Path confA = dir.resolve("a.toml");
        Files.writeString(confA, configA(ea, eb, keep, change, drop));
        Files.writeString(dir.resolve("b.toml"), Configs.daemon(eb, null, dir.resolve("b.ctl").toString(), "")
                + "\n[peers.gw-a]\nlocal = \"" + eb + "\"\nremote = \"" + ea + "\"\npsk = \"" + PSK
                + "\"\nike = [\"aes128-sha256-modp2048\"]\n"
                + (tunnel("keep", "10.2.0.0/16", "10.1.0.0/16", "\"aes128-sha1\"")
                        + tunnel("change", "10.12.0.0/16", "10.11.0.0/16", "\"aes256-sha256\", \"aes128-sha1\"")
                        + tunnel("drop", "10.22.0.0/16", "10.21.0.0/16", "\"aes128-sha1\"")
                        + tunnel("add", "10.32.0.0/16", "10.31.0.0/16", "\"aes128-sha1\"")).replace("peers.P.", "peers.gw-a."));
        b = DaemonProcess.start("b", dir.resolve("b.toml"), dir.resolve("b.status"));
        a = DaemonProcess.start("a", confA, dir.resolve("a.status"));
        Ctl ctlA = new Ctl(dir.resolve("a.ctl"));
        Ctl ctlB = new Ctl(dir.resolve("b.ctl"));
        assertTrue(ctlA.await("list-sas", s -> byTunnel(s).keySet().equals(java.util.Set.of("keep", "change", "drop"))
                && s.path("ipsec").size() == 6, NEGOTIATION), "three tunnels" + TwoDaemonsIT.logs(a, b));
        Map<String, List<String>> before = byTunnel(ctlA.json("list-sas"));

        Files.writeString(confA, configA(ea, eb, keep, changed, add));
        Ctl.Result r = ctlA.run("reload");
        assertEquals(0, r.exitCode(), r.err() + TwoDaemonsIT.logs(a));
        assertTrue(r.out().contains("peers added [], changed [gw-b], removed [], 0 unchanged"), r.out());
        assertTrue(ctlA.await("list-sas", s -> byTunnel(s).keySet().equals(java.util.Set.of("keep", "change", "add"))
                && s.path("ipsec").size() == 6, NEGOTIATION), "after the reload" + TwoDaemonsIT.logs(a, b));
        Map<String, List<String>> after = byTunnel(ctlA.json("list-sas"));
        assertEquals(before.get("keep"), after.get("keep"), "the unchanged tunnel kept its SAs");
        assertTrue(after.get("change").stream().allMatch(x -> x.endsWith(" aes256-sha256")), after.toString());
        assertTrue(ctlB.await("list-sas", s -> !byTunnel(s).containsKey("drop") && s.path("ipsec").size() == 6,
                Duration.ofSeconds(10)), "b deleted the dropped tunnel's SAs" + TwoDaemonsIT.logs(b));

        Files.writeString(confA, configA(ea, eb, keep, changed, add).replace("\"aes256-sha256\"", "\"aes999-sha256\""));
        Ctl.Result broken = ctlA.run("reload");
        assertEquals(1, broken.exitCode());
        assertTrue(broken.err().startsWith("isakmpctl: configuration refused, nothing changed: " + confA + ":"),
                broken.err());
        assertTrue(broken.err().contains("peers.gw-b.tunnels.change.esp[0]: unknown cipher 'aes999'"), broken.err());

        String otherListen = "127.0.0.1:" + Ports.freeUdp("127.0.0.1");
        Files.writeString(confA, configA(ea, eb, keep, changed, add).replace("listen = [\"" + ea, "listen = [\""
                + otherListen + "\", \"" + ea));
        Ctl.Result restart = ctlA.run("reload");
        assertEquals(1, restart.exitCode());
        assertEquals("isakmpctl: daemon.listen changed: restart the daemon to apply that; nothing was changed\n",
                restart.err());
        assertEquals(after, byTunnel(ctlA.json("list-sas")), "refused reloads changed nothing");

        // SIGHUP: a new peer, everything else as it is
        Files.writeString(confA, configA(ea, eb, keep, changed, add) + "\n[peers.gw-c]\nlocal = \"" + ea
                + "\"\nremote = \"127.0.0.3:500\"\npsk = \"other\"\nike = [\"aes128-sha256-modp2048\"]\n");
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(a.pid())).start().waitFor());
        assertTrue(ctlA.await("list-conns", c -> c.size() == 2, Duration.ofSeconds(10)), TwoDaemonsIT.logs(a));
        assertTrue(a.output().contains("peers added [gw-c], changed [], removed [], 1 unchanged"), a.output());
        assertEquals(after, byTunnel(ctlA.json("list-sas")), "SIGHUP left the unchanged peer alone");
        assertTrue(a.isAlive(), "SIGHUP no longer ends the daemon");
    }
}
