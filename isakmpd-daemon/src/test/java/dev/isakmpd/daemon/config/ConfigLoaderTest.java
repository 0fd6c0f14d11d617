package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.HalfOpenLimits;
import dev.isakmpd.core.exchange.RetransmitPolicy;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.DeadPeerDetection;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.IkeFragmentation;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.NatTraversal;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final String SECRET = "correct horse battery staple";

    static final String VALID = """
            [daemon]
            listen = ["127.0.0.1:500", "127.0.0.1:4500"]
            kernel = "memory"
            status-file = "run/status"

            [peers.gw-b]
            local = "127.0.0.1:500"
            remote = "127.0.0.2"
            psk = "correct horse battery staple"
            ike = ["aes256-sha256-modp2048", "aes128-sha1-modp2048"]
            ike-lifetime = "8h"
            auto = "start"

            [peers.gw-b.tunnels.net]
            local-subnet = "10.1.0.0/16"
            remote-subnet = "10.2.0.0/16"
            esp = ["aes128-sha1-modp2048", "aes256-sha256-modp2048"]
            lifetime = 1800

            [peers.gw-b.tunnels.host]
            local-subnet = "10.1.0.1"
            remote-subnet = "10.2.0.0/24"
            esp = ["3des-md5"]
            """;

    @TempDir
    Path dir;

    static DaemonConfig parse(String text) throws ConfigException {
        return ConfigLoader.parse(text, "t.toml", Path.of("/etc/isakmpd"));
    }

    @Test
    void validFileGivesTheExpectedPolicy() throws Exception {
        DaemonConfig c = parse(VALID);
        assertEquals(List.of(new InetSocketAddress("127.0.0.1", 500), new InetSocketAddress("127.0.0.1", 4500)),
                c.listen());
        assertEquals(KernelType.MEMORY, c.kernel());
        assertEquals(Optional.of(Path.of("/etc/isakmpd/run/status")), c.statusFile());
        assertEquals(List.of(), c.warnings());
        assertEquals(1, c.peers().size());

        PeerPolicy p = c.peers().get(0);
        assertEquals("gw-b", p.name());
        assertEquals(new InetSocketAddress("127.0.0.1", 500), p.local());
        assertEquals(new InetSocketAddress("127.0.0.2", 500), p.remote(), "port defaults to 500");
        assertEquals(SecretBytes.copyOf(SECRET.getBytes(StandardCharsets.UTF_8)), ((PeerAuth.PreSharedKey) p.auth()).key());
        assertEquals(List.of(ProposalNames.parseIke("aes256-sha256-modp2048"),
                ProposalNames.parseIke("aes128-sha1-modp2048")), p.ikeProposals());
        assertEquals(Duration.ofHours(8), p.ikeLifetime());
        assertTrue(p.autoStart());

        TunnelPolicy net = p.tunnel("net").orElseThrow();
        assertEquals(Subnet.parse("10.1.0.0/16"), net.local());
        assertEquals(Subnet.parse("10.2.0.0/16"), net.remote());
        assertEquals(List.of(new EspProposal(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA1),
                new EspProposal(EspCipher.AES_CBC, 256, EspIntegrity.HMAC_SHA2_256)), net.proposals());
        assertEquals("modp2048", net.pfsGroup().orElseThrow().name(), "PFS group from the esp suffix");
        assertEquals(Duration.ofSeconds(1800), net.lifetime());

        TunnelPolicy host = p.tunnel("host").orElseThrow();
        assertEquals(Subnet.parse("10.1.0.1/32"), host.local());
        assertEquals(Optional.empty(), host.pfsGroup());
        assertEquals(Duration.ofHours(1), host.lifetime(), "default ESP lifetime");
    }

    @Test
    void defaults() throws Exception {
        DaemonConfig c = parse("""
                [daemon]
                listen = ["192.0.2.1"]
                [peers.p]
                local = "192.0.2.1"
                remote = "198.51.100.7"
                psk = "x"
                ike = ["aes128-sha1-modp2048"]
                """);
        assertEquals(KernelType.AUTO, c.kernel(), "a real daemon's kernel unless the file says otherwise");
        assertEquals(HalfOpenLimits.DEFAULT, c.halfOpen());
        assertTrue(c.halfOpen().perAddress() >= 64, "a NAT address with 64 handshakes in flight gets through");
        assertEquals(Optional.empty(), c.statusFile());
        PeerPolicy p = c.peers().get(0);
        assertEquals(ConfigLoader.DEFAULT_IKE_LIFETIME, p.ikeLifetime());
        assertFalse(p.autoStart());
        assertEquals(List.of(), p.tunnels());
    }

    @Test
    void natTraversal() throws Exception {
        DaemonConfig d = parse(VALID);
        assertEquals(NatTraversal.DEFAULT, d.peers().get(0).natTraversal());
        assertEquals(List.of(Addresses.parseEndpoint("127.0.0.1", 500), Addresses.parseEndpoint("127.0.0.1", 4500)),
                d.sockets(), "4500 beside 500, once");
        assertTrue(d.isNatTraversal(Addresses.parseEndpoint("127.0.0.1", 4500)));
        DaemonConfig set = parse(VALID.replace("auto = \"start\"", "auto = \"start\"\nnat-keepalive = \"30s\"\n"
                + "force-encaps = true").replace("kernel = \"memory\"", "kernel = \"memory\"\nnat-t-port = 14500")
                .replace("\"127.0.0.1:4500\"", "\"127.0.0.1:14500\""));
        assertEquals(new NatTraversal(true, Duration.ofSeconds(30), true, 14500), set.peers().get(0).natTraversal());
        assertFalse(parse(VALID.replace("auto = \"start\"", "auto = \"start\"\nnat-traversal = false")).peers().get(0)
                .natTraversal().enabled());
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nnat-traversal = false\nforce-encaps = true"),
                "t.toml:14: peers.gw-b.force-encaps: has no effect with nat-traversal = false");
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\nnat-t-port = 500"),
                "t.toml:4: daemon.nat-t-port: must be a UDP port other than 500");
    }

    @Test
    void ikeFragmentation() throws Exception {
        assertEquals(IkeFragmentation.DEFAULT, parse(VALID).peers().get(0).fragmentation());
        assertEquals(new IkeFragmentation(true, OptionalInt.of(1200)), parse(VALID.replace("auto = \"start\"",
                "auto = \"start\"\nfragment-size = 1200")).peers().get(0).fragmentation());
        assertFalse(parse(VALID.replace("auto = \"start\"", "auto = \"start\"\nfragmentation = false")).peers()
                .get(0).fragmentation().enabled());
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nfragment-size = 100"),
                "t.toml:13: peers.gw-b.fragment-size: 100 is outside 256..65507 (octets of UDP payload)");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nfragmentation = false\nfragment-size = 600"),
                "t.toml:14: peers.gw-b.fragment-size: has no effect with fragmentation = false");
    }

    @Test
    void deadPeerDetection() throws Exception {
        assertEquals(Optional.empty(), parse(VALID).peers().get(0).dpd());
        DeadPeerDetection d = parse(VALID.replace("auto = \"start\"", "auto = \"start\"\ndpd-delay = \"30s\""))
                .peers().get(0).dpd().orElseThrow();
        assertEquals(new DeadPeerDetection(Duration.ofSeconds(30), ConfigLoader.DEFAULT_DPD_TIMEOUT), d);
        assertEquals(Duration.ofMinutes(2), parse(VALID.replace("auto = \"start\"",
                "auto = \"start\"\ndpd-delay = 10\ndpd-timeout = \"2m\"")).peers().get(0).dpd().orElseThrow().timeout());
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\ndpd-timeout = \"2m\""),
                "t.toml:13: peers.gw-b.dpd-timeout: has no effect without dpd-delay");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\ndpd-delay = \"5m\"\ndpd-timeout = \"2m\""),
                "t.toml:14: peers.gw-b.dpd-timeout: the DPD timeout (120s) must be longer than the delay (300s)");
    }

    @Test
    void transportModeSelectsTheTwoHosts() throws Exception {
        String transport = VALID.replace("local-subnet = \"10.1.0.1\"\nremote-subnet = \"10.2.0.0/24\"\n",
                "mode = \"transport\"\n");
        TunnelPolicy t = parse(transport).peers().get(0).tunnel("host").orElseThrow();
        assertEquals(IpsecMode.TRANSPORT, t.mode());
        assertEquals(Subnet.parse("127.0.0.1/32"), t.local());
        assertEquals(Subnet.parse("127.0.0.2/32"), t.remote());
        assertEquals(IpsecMode.TUNNEL, parse(VALID).peers().get(0).tunnel("net").orElseThrow().mode());
        assertError(VALID.replace("local-subnet = \"10.1.0.1\"\n", "mode = \"transport\"\nlocal-subnet = \"10.1.0.1\"\n"),
                "t.toml:22: peers.gw-b.tunnels.host.local-subnet: in transport mode this must be the endpoint "
                        + "127.0.0.1/32 (or be left out), not 10.1.0.1/32");
        assertError(VALID.replace("local-subnet = \"10.1.0.1\"\n", "mode = \"beet\"\nlocal-subnet = \"10.1.0.1\"\n"),
                "t.toml:21: peers.gw-b.tunnels.host.mode: unknown value 'beet' (known: tunnel, transport)");
    }

    @Test
    void protocolPortSelectorsAsLeftprotoport() throws Exception {
        String l2tp = VALID.replace("local-subnet = \"10.1.0.1\"\nremote-subnet = \"10.2.0.0/24\"\n",
                "mode = \"transport\"\nlocal-protoport = \"udp/1701\"\nremote-protoport = \"17/%any\"\n");
        TunnelPolicy t = parse(l2tp).peers().get(0).tunnel("host").orElseThrow();
        assertEquals(Subnet.parse("127.0.0.1").withProtocolPort(17, 1701), t.local());
        assertEquals(Subnet.parse("127.0.0.2").withProtocolPort(17, 0), t.remote());
        // one side naming the protocol names it for both: the kernel's selector has one
        TunnelPolicy half = parse(VALID.replace("remote-subnet = \"10.2.0.0/24\"\n",
                "remote-subnet = \"10.2.0.0/24\"\nlocal-protoport = \"tcp/443\"\n")).peers().get(0).tunnel("host")
                .orElseThrow();
        assertEquals(Subnet.parse("10.2.0.0/24").withProtocolPort(6, 0), half.remote());
        assertError(l2tp.replace("17/%any", "udp/0"), "t.toml:23: peers.gw-b.tunnels.host.remote-protoport: bad port "
                + "'0' in 'udp/0' (expected udp, tcp or 1..65535, or %any)");
        assertError(l2tp.replace("17/%any", "tcp/%any"), "t.toml:23: peers.gw-b.tunnels.host.remote-protoport: "
                + "local-protoport and remote-protoport must name the same protocol");
    }

    @Test
    void aRoadWarriorTransportTunnelTakesTheRangeAsItsTemplate() throws Exception {
        String rw = VALID.replace("remote = \"127.0.0.2\"", "remote = \"any\"").replace("auto = \"start\"\n", "")
                .replace("local-subnet = \"10.1.0.1\"\nremote-subnet = \"10.2.0.0/24\"\n",
                        "mode = \"transport\"\nlocal-protoport = \"udp/1701\"\nremote-protoport = \"udp/%any\"\n");
        TunnelPolicy t = parse(rw).peers().get(0).tunnel("host").orElseThrow();
        assertTrue(t.isRoadWarriorTransport());
        assertEquals(Subnet.parse("0.0.0.0/0").withProtocolPort(17, 0), t.remote());
        assertEquals(Subnet.parse("127.0.0.1").withProtocolPort(17, 1701), t.local());
        assertError(rw.replace("mode = \"transport\"\n", "mode = \"transport\"\nremote-subnet = \"10.9.0.0/16\"\n"),
                "t.toml:21: peers.gw-b.tunnels.host.remote-subnet: in transport mode with clients from 0.0.0.0/0 this "
                        + "must be 0.0.0.0/0");
    }

    @Test
    void kilobyteLifetimes() throws Exception {
        DaemonConfig c = parse(VALID.replace("lifetime = 1800\n", "lifetime = 1800\nlifetime-kilobytes = 100\n"));
        assertEquals(100, c.peers().get(0).tunnel("net").orElseThrow().lifeKilobytes());
        assertEquals(0, c.peers().get(0).tunnel("host").orElseThrow().lifeKilobytes(), "none unless set");
        assertError(VALID.replace("lifetime = 1800\n", "lifetime = 1800\nlifetime-kilobytes = -1\n"),
                "t.toml:19: peers.gw-b.tunnels.net.lifetime-kilobytes: must be 0 (no limit) to 4294967295 KB, not -1");
    }

    @Test
    void ahAloneAnAhEspBundleAndCompression() throws Exception {
        DaemonConfig c = parse(VALID.replace("esp = [\"3des-md5\"]", "ah = [\"sha256\", \"ah-sha1\"]\ncompress = true")
                .replace("lifetime = 1800\n", "lifetime = 1800\nah = [\"sha512-modp2048\"]\n"));
        TunnelPolicy host = c.peers().get(0).tunnel("host").orElseThrow();
        assertEquals(List.of(EspIntegrity.HMAC_SHA2_256, EspIntegrity.HMAC_SHA1), host.ah());
        assertTrue(host.proposals().isEmpty() && host.compress(), "AH alone, compressed");
        TunnelPolicy net = c.peers().get(0).tunnel("net").orElseThrow();
        assertEquals("ah [sha512] + esp [aes128-sha1, aes256-sha256]", net.describeProposals());
        assertError(VALID.replace("esp = [\"3des-md5\"]", "ah = [\"aes128-sha1\"]"),
                "t.toml:23: peers.gw-b.tunnels.host.ah[0]: unknown integrity algorithm 'aes128' in 'aes128-sha1'");
        assertError(VALID.replace("esp = [\"3des-md5\"]", "compress = true"),
                "t.toml:20: peers.gw-b.tunnels.host.esp: required key is missing");
    }

    @Test
    void espNullNeedsItsOwnSwitch() {
        assertError(VALID.replace("esp = [\"3des-md5\"]", "esp = [\"null-sha256\"]"),
                "t.toml:23: peers.gw-b.tunnels.host.esp[0]: cipher 'null' in 'null-sha256' leaves ESP unencrypted "
                        + "(RFC 2410); it is accepted only with allow-esp-null = true in [daemon]");
    }

    @Test
    void anUnknownEspCipherListsTheEspCiphers() {
        assertError(VALID.replace("esp = [\"3des-md5\"]", "esp = [\"camellia128-sha1\"]"),
                "t.toml:23: peers.gw-b.tunnels.host.esp[0]: unknown cipher 'camellia128' in 'camellia128-sha1' "
                        + "(known: aes128, aes192, aes256, 3des, aes128ctr/aes192ctr/aes256ctr, "
                        + "aes128gcm16/aes192gcm16/aes256gcm16 (also gcm12, gcm8), null (with allow-esp-null))");
    }

    @Test
    void controlSocket() throws Exception {
        ControlSocket def = parse(VALID).control().orElseThrow();
        assertEquals(ControlSocket.DEFAULT_PATH, def.path());
        assertEquals(PosixFilePermissions.fromString("rw-rw----"), def.mode());
        assertEquals(Optional.empty(), def.group());
        String set = VALID.replace("kernel = \"memory\"",
                "kernel = \"memory\"\ncontrol-socket = \"run/ctl\"\ncontrol-mode = \"0600\"\ncontrol-group = \"ipsec\"");
        ControlSocket c = parse(set).control().orElseThrow();
        assertEquals(Path.of("/etc/isakmpd/run/ctl"), c.path());
        assertEquals(PosixFilePermissions.fromString("rw-------"), c.mode());
        assertEquals(Optional.of("ipsec"), c.group());
        assertEquals(Optional.empty(), parse(VALID.replace("kernel = \"memory\"",
                "kernel = \"memory\"\ncontrol-socket = \"off\"")).control());
        assertError(set.replace("0600", "rw-------"),
                "t.toml:5: daemon.control-mode: expected an octal mode such as \"0660\", got 'rw-------'");
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\ncontrol-socket = \"off\"\n"
                + "control-group = \"ipsec\""), "t.toml:5: daemon.control-group: has no effect with control-socket = \"off\"");
    }

    @Test
    void keepingTunnelsUp() throws Exception {
        DaemonConfig d = parse(VALID);
        assertEquals(RestartPolicy.DEFAULT, d.restartPolicy("gw-b"));
        assertTrue(d.restartPolicy("gw-b").forever());
        assertEquals(RetransmitPolicy.DEFAULT, d.retransmit());
        DaemonConfig c = parse(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\n"
                + "retransmit-timeout = \"500ms\"\nretransmit-timeout-max = \"4s\"\nretransmit-tries = 3")
                .replace("auto = \"start\"", "auto = \"start\"\nkeying-tries = 3\nkeying-retry-delay = \"1s\"\n"
                        + "keying-retry-delay-max = \"3s\"\nclose-action = \"hold\"\ndpd-action = \"clear\""));
        assertEquals(new RetransmitPolicy(Duration.ofMillis(500), Duration.ofSeconds(4), 3), c.retransmit());
        RestartPolicy r = c.restartPolicy("gw-b");
        assertEquals(new RestartPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(3), RestartPolicy.OnLoss.HOLD,
                RestartPolicy.OnLoss.CLEAR), r);
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(3)),
                List.of(r.delayAfter(1), r.delayAfter(2), r.delayAfter(3), r.delayAfter(4)), "doubling up to the cap");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nkeying-tries = \"always\""),
                "t.toml:13: peers.gw-b.keying-tries: expected a number of attempts (1 to 1000) or \"forever\"");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nkeying-tries = 0"),
                "t.toml:13: peers.gw-b.keying-tries: expected a number of attempts");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nclose-action = \"reboot\""),
                "t.toml:13: peers.gw-b.close-action: unknown value 'reboot' (known: restart, hold, clear)");
        assertError(VALID.replace("auto = \"start\"", "auto = \"start\"\nkeying-retry-delay = \"1m\"\n"
                + "keying-retry-delay-max = \"10s\""), "t.toml:14: peers.gw-b.keying-retry-delay-max: must not be shorter");
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\nretransmit-tries = 99"),
                "t.toml:4: daemon.retransmit-tries: must be between 0 and 20");
    }

    @Test
    void cryptoIsAutoByDefaultAndNamedInErrors() throws Exception {
        CryptoChoice auto = parse(VALID).crypto();
        assertEquals(CryptoChoice.Mode.AUTO, auto.configured());
        assertEquals(IkeCrypto.accpProblem().isEmpty(), auto.accp(), auto.describe());
        CryptoChoice bc = parse(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\ncrypto = \"bouncycastle\""))
                .crypto();
        assertEquals("bouncycastle (configured)", bc.describe());
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\ncrypto = \"openssl\""),
                "t.toml:4: daemon.crypto: unknown crypto 'openssl' (known: auto, bouncycastle, accp)");
    }

    @Test
    void legacyAlgorithmsNeedTheDaemonSwitch() throws Exception {
        assertFalse(parse(VALID).allowLegacyCrypto());
        DaemonConfig c = parse(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\nallow-legacy-crypto = true")
                .replace("\"aes128-sha1-modp2048\"]\nike-lifetime", "\"des-md5-ec2n185\"]\nike-lifetime")
                .replace("esp = [\"3des-md5\"]", "esp = [\"3des-md5-ec2n155\"]"));
        assertTrue(c.allowLegacyCrypto());
        assertEquals("des-md5-ec2n185", c.peers().get(0).ikeProposals().get(1).name());
        assertEquals("ec2n155", c.peers().get(0).tunnel("host").orElseThrow().pfsGroup().orElseThrow().name());
    }

    @Test
    void espNullWithItsSwitch() throws Exception {
        DaemonConfig c = parse(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\nallow-esp-null = true")
                .replace("esp = [\"3des-md5\"]", "esp = [\"null-sha256\", \"aes128gcm16\"]"));
        assertEquals("[null-sha256, aes128gcm16]",
                c.peers().get(0).tunnel("host").orElseThrow().proposals().toString());
    }

    @Test
    void explicitPfsAppliesToProposalsWithoutSuffix() throws Exception {
        DaemonConfig c = parse(VALID.replace("esp = [\"aes128-sha1-modp2048\", \"aes256-sha256-modp2048\"]",
                "esp = [\"aes128-sha1\"]\npfs = \"modp2048\""));
        assertEquals("modp2048", c.peers().get(0).tunnel("net").orElseThrow().pfsGroup().orElseThrow().name());
    }

    @Test
    void everyKernelBackEndByName() throws Exception {
        for (KernelType k : KernelType.values()) {
            DaemonConfig c = parse(VALID.replace("kernel = \"memory\"", "kernel = \"" + k.configName() + "\""));
            assertEquals(k, c.kernel());
        }
        assertEquals(List.of("auto", "memory", "pfkey", "xfrm"),
                java.util.Arrays.stream(KernelType.values()).map(KernelType::configName).toList());
    }

    @Test
    void theDocumentedExamplesAreValid() throws Exception {
        for (String name : List.of("demo-a.toml", "demo-b.toml")) {
            DaemonConfig c = ConfigLoader.load(Path.of("..", "conf", name));
            assertEquals(KernelType.MEMORY, c.kernel(), name);
            assertEquals(1, c.peers().size(), name);
        }
        DaemonConfig example = ConfigLoader.load(Path.of("..", "conf", "isakmpd.toml"));
        assertEquals(KernelType.MEMORY, example.kernel());
        assertEquals("gw-b", example.peers().get(0).name());
    }

    @Test
    void confDemoFilesAreTheBuiltInOnes() throws Exception {
        for (String name : List.of("demo-a.toml", "demo-b.toml")) {
            try (var in = ConfigLoaderTest.class.getResourceAsStream("/dev/isakmpd/daemon/demo/" + name)) {
                assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                        Files.readString(Path.of("..", "conf", name)), "conf/" + name + " drifted from the jar's copy");
            }
        }
    }

    @Test
    void pskFileIsReadRelativeToTheConfigFile() throws Exception {
        Path psk = dir.resolve("gw-b.psk");
        Files.writeString(psk, SECRET + "\nsecond line is ignored\n");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
        Path conf = dir.resolve("isakmpd.toml");
        Files.writeString(conf, VALID.replace("psk = \"" + SECRET + "\"", "psk-file = \"gw-b.psk\""));

        DaemonConfig c = ConfigLoader.load(conf);
        assertEquals(SecretBytes.copyOf(SECRET.getBytes(StandardCharsets.UTF_8)),
                ((PeerAuth.PreSharedKey) c.peers().get(0).auth()).key());
        assertEquals(psk, c.pskFiles().get("gw-b"));
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void overlappingSelectorsAreAWarningUnlessOneTunnelLiesInsideTheOther() throws Exception {
        // VALID's host tunnel (10.1.0.1 === 10.2.0.0/24) lies inside net (10.1.0.0/16 === 10.2.0.0/16)
        assertEquals(List.of(), parse(VALID).warnings());
        String crossed = VALID.replace("local-subnet = \"10.1.0.1\"", "local-subnet = \"10.0.0.0/8\"");
        List<String> w = parse(crossed).warnings();
        assertEquals(1, w.size(), w.toString());
        assertEquals("t.toml:20: peers.gw-b.tunnels.host: its selectors 10.0.0.0/8 === 10.2.0.0/24 overlap those of "
                + "tunnel net of peer gw-b (line 14: 10.1.0.0/16 === 10.2.0.0/16) and neither lies inside the other: "
                + "traffic that matches both goes through only one of them", w.get(0));
        String same = VALID.replace("local-subnet = \"10.1.0.1\"", "local-subnet = \"10.1.0.0/16\"")
                .replace("remote-subnet = \"10.2.0.0/24\"", "remote-subnet = \"10.2.0.0/16\"");
        assertEquals(1, parse(same).warnings().size(), "the same selectors twice");
        String apart = VALID.replace("local-subnet = \"10.1.0.1\"", "local-subnet = \"10.3.0.1\"");
        assertEquals(List.of(), parse(apart).warnings());
    }

    @Test
    void worldReadablePskFileIsAWarning() throws Exception {
        Path psk = dir.resolve("gw-b.psk");
        Files.writeString(psk, SECRET + "\n");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-r--r--"));
        Path conf = dir.resolve("isakmpd.toml");
        Files.writeString(conf, VALID.replace("psk = \"" + SECRET + "\"", "psk-file = \"gw-b.psk\""));

        DaemonConfig c = ConfigLoader.load(conf);
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        String w = c.warnings().get(0);
        assertTrue(w.startsWith(conf + ":9: peers.gw-b.psk-file: psk-file " + psk + " is readable by every user"), w);
        assertFalse(w.contains(SECRET));
    }

    @Test
    void pskFileProblems() throws Exception {
        Path conf = dir.resolve("isakmpd.toml");
        Files.writeString(conf, VALID.replace("psk = \"" + SECRET + "\"", "psk-file = \"missing.psk\""));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(conf));
        assertEquals(List.of(conf + ":9: peers.gw-b.psk-file: cannot read psk-file " + dir.resolve("missing.psk")
                + ": no such file"), e.errors());

        Files.writeString(dir.resolve("missing.psk"), "\n" + SECRET);
        e = assertThrows(ConfigException.class, () -> ConfigLoader.load(conf));
        assertTrue(e.getMessage().endsWith("has an empty first line"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
    }

    @Test
    void everyErrorIsReportedInFileOrderWithLineAndKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("""
                [daemon]
                listen = ["127.0.0.1:500"]
                kernal = "memory"

                [peers.gw-b]
                local = "127.0.0.1:500"
                remote = "127.0.0.2:500"
                psk = "correct horse battery staple"
                ike = ["aes256-sha256-modp2048", "aes512-sha1-modp2048"]
                ike-lifetime = "8y"
                """));
        assertEquals(List.of(
                "t.toml:3: daemon.kernal: unknown key 'kernal' (did you mean 'kernel'?) (known: allow-esp-null, "
                        + "allow-legacy-crypto, "
                        + "control-group, control-mode, control-socket, crypto, crypto-threads, half-open-per-address, half-open-total, "
                        + "kernel, listen, metrics, nat-t-port, receive-buffer, retransmit-timeout, retransmit-timeout-max, "
                        + "retransmit-tries, "
                        + "status-file)",
                "t.toml:9: peers.gw-b.ike[1]: unknown cipher 'aes512' in 'aes512-sha1-modp2048' (known: aes128, aes192, aes256, 3des, "
                        + "camellia128/192/256, blowfish128/192/256, cast128)",
                "t.toml:10: peers.gw-b.ike-lifetime: bad duration '8y' (use e.g. 500ms, 90s, 30m, 8h, 1d or seconds)"),
                e.errors());
    }

    @Test
    void metricsEndpointIsOffByDefaultAndWarnsBeyondLoopback() throws Exception {
        assertEquals(Optional.empty(), parse(VALID).metrics());
        String daemon = "kernel = \"memory\"\n";
        assertEquals(Optional.empty(), parse(VALID.replace(daemon, daemon + "metrics = \"off\"\n")).metrics());
        DaemonConfig local = parse(VALID.replace(daemon, daemon + "metrics = \"127.0.0.1:9100\"\n"));
        assertEquals(Optional.of(new InetSocketAddress("127.0.0.1", 9100)), local.metrics());
        assertEquals(List.of(), local.warnings());
        assertEquals(Optional.of(new InetSocketAddress("::1", DaemonConfig.DEFAULT_METRICS_PORT)),
                parse(VALID.replace(daemon, daemon + "metrics = \"[::1]\"\n")).metrics());
        DaemonConfig open = parse(VALID.replace(daemon, daemon + "metrics = \"0.0.0.0:9477\"\n"));
        assertEquals(1, open.warnings().size(), open.warnings().toString());
        assertTrue(open.warnings().get(0).startsWith("t.toml:4: daemon.metrics: serves metrics to the network on "
                + "0.0.0.0:9477, without authentication"), open.warnings().get(0));
        assertError(VALID.replace(daemon, daemon + "metrics = \"localhost:http\"\n"), "t.toml:4: daemon.metrics: ");
        assertError(VALID.replace(daemon, daemon + "metrics = 9477\n"),
                "t.toml:4: daemon.metrics: expected a string, got an integer");
    }

    @Test
    void cryptoThreadsDefaultToTheOtherCoresAndAreBounded() throws Exception {
        assertEquals(DaemonConfig.defaultCryptoThreads(), parse(VALID).cryptoThreads());
        String daemon = "kernel = \"memory\"\n";
        assertEquals(0, parse(VALID.replace(daemon, daemon + "crypto-threads = 0\n")).cryptoThreads());
        assertEquals(3, parse(VALID.replace(daemon, daemon + "crypto-threads = 3\n")).cryptoThreads());
        assertError(VALID.replace(daemon, daemon + "crypto-threads = -1\n"),
                "t.toml:4: daemon.crypto-threads: must be between 0 and 64, got -1");
        assertError(VALID.replace(daemon, daemon + "crypto-threads = 65\n"),
                "t.toml:4: daemon.crypto-threads: must be between 0 and 64, got 65");
    }

    @Test
    void halfOpenLimits() throws Exception {
        DaemonConfig c = parse(VALID.replace("kernel = \"memory\"",
                "kernel = \"memory\"\nhalf-open-per-address = 100\nhalf-open-total = 20000"));
        assertEquals(new HalfOpenLimits(100, 20000), c.halfOpen());
        String daemon = "kernel = \"memory\"\n";
        assertError(VALID.replace(daemon, daemon + "half-open-per-address = 0\n"),
                "t.toml:4: daemon.half-open-per-address: must be between 1 and 1000000, got 0");
        assertError(VALID.replace(daemon, daemon + "half-open-total = 5000000\n"),
                "t.toml:4: daemon.half-open-total: must be between 1 and 1000000, got 5000000");
        assertError(VALID.replace(daemon, daemon + "half-open-per-address = \"64\"\n"),
                "t.toml:4: daemon.half-open-per-address: expected an integer, got a string");
        assertError(VALID.replace(daemon, daemon + "half-open-per-address = 128\nhalf-open-total = 100\n"),
                "t.toml:5: daemon.half-open-total: half-open-total (100) must be at least half-open-per-address (128)");
        assertError(VALID.replace(daemon, daemon + "half-open-per-address = 8000\n"),
                "t.toml:4: daemon.half-open-per-address: half-open-total (4096) must be at least half-open-per-address"
                        + " (8000)");
    }

    @Test
    void errorCases() {
        assertError(VALID.replace("listen = [\"127.0.0.1:500\", \"127.0.0.1:4500\"]", "listen = \"127.0.0.1:500\""),
                "t.toml:2: daemon.listen: expected an array of strings, got a string");
        assertError(VALID.replace("\"127.0.0.1:4500\"", "\"gateway.example:500\""),
                "t.toml:2: daemon.listen[1]: 'gateway.example' is not an IP address literal");
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"netlink\""),
                "t.toml:3: daemon.kernel: unknown kernel 'netlink' (known: auto, memory, pfkey, xfrm)");
        assertError(VALID.replace("local = \"127.0.0.1:500\"", "local = \"127.0.0.1:501\""),
                "t.toml:7: peers.gw-b.local: 127.0.0.1:501 is not among daemon.listen");
        assertError(VALID.replace("remote = \"127.0.0.2\"", "remote = \"127.0.0.2:0\""),
                "t.toml:8: peers.gw-b.remote: bad port in '127.0.0.2:0'");
        assertError(VALID.replace("remote = \"127.0.0.2\"", "remote = \"::1\""),
                "t.toml:8: peers.gw-b.remote: local and remote must both be IPv4 or both IPv6");
        assertError(VALID.replace("psk = \"" + SECRET + "\"", "psk = \"\""),
                "t.toml:9: peers.gw-b.psk: must not be empty");
        assertError(VALID.replace("psk = \"" + SECRET + "\"", "psk = \"" + SECRET + "\"\npsk-file = \"x\""),
                "t.toml:10: peers.gw-b.psk-file: set either psk or psk-file, not both");
        assertError(VALID.replace("psk = \"" + SECRET + "\"", ""),
                "t.toml:6: peers.gw-b: missing psk or psk-file");
        assertError(VALID.replace("psk = \"" + SECRET + "\"", "psk = 12345"),
                "t.toml:9: peers.gw-b.psk: expected a string, got an integer");
        assertError(VALID.replace("ike = [\"aes256-sha256-modp2048\", \"aes128-sha1-modp2048\"]", "ike = []"),
                "t.toml:10: peers.gw-b.ike: must not be empty");
        assertError(VALID.replace("ike = [\"aes256-sha256-modp2048\", \"aes128-sha1-modp2048\"]", ""),
                "t.toml:6: peers.gw-b.ike: required key is missing");
        assertError(VALID.replace("\"aes128-sha1-modp2048\"]\nike-lifetime", "\"aes128-sha1-modp99\"]\nike-lifetime"),
                "t.toml:10: peers.gw-b.ike[1]: unknown DH group 'modp99' in 'aes128-sha1-modp99' (known: modp768, modp1024,");
        assertError(VALID.replace("\"aes128-sha1-modp2048\"]\nike-lifetime", "\"des-sha1-modp2048\"]\nike-lifetime"),
                "t.toml:10: peers.gw-b.ike[1]: cipher 'des' (56-bit key) in 'des-sha1-modp2048' is a legacy algorithm,"
                        + " too weak for today; it is accepted only with allow-legacy-crypto = true in [daemon]");
        assertError(VALID.replace("lifetime = 1800", "lifetime = 1800\npfs = \"ec2n155\""),
                "t.toml:19: peers.gw-b.tunnels.net.pfs: DH group 'ec2n155' in 'pfs = ec2n155' is a legacy algorithm");
        assertError(VALID.replace("kernel = \"memory\"", "kernel = \"memory\"\nallow-legacy-crypto = \"yes\""),
                "t.toml:4: daemon.allow-legacy-crypto: expected true or false, got a string");
        assertError(VALID.replace("ike-lifetime = \"8h\"", "ike-lifetime = 0"),
                "t.toml:11: peers.gw-b.ike-lifetime: duration '0' must be positive");
        assertError(VALID.replace("ike-lifetime = \"8h\"", "ike-lifetime = 8.5"),
                "t.toml:11: peers.gw-b.ike-lifetime: expected a duration (\"8h\") or seconds, got a float");
        assertError(VALID.replace("auto = \"start\"", "auto = \"route\""),
                "t.toml:12: peers.gw-b.auto: unknown value 'route' (known: start, add)");
        assertError(VALID.replace("local-subnet = \"10.1.0.0/16\"", "local-subnet = \"10.1.0.0/33\""),
                "t.toml:15: peers.gw-b.tunnels.net.local-subnet: prefix length 33 out of range 0..32");
        assertError(VALID.replace("remote-subnet = \"10.2.0.0/16\"", "remote-subnet = \"2001:db8::/32\""),
                "t.toml:16: peers.gw-b.tunnels.net.remote-subnet: local-subnet and remote-subnet must both be IPv4 or both IPv6");
        assertError(VALID.replace("\"aes256-sha256-modp2048\"]\nlifetime", "\"aes256-sha256-modp1024\"]\nlifetime"),
                "t.toml:17: peers.gw-b.tunnels.net.esp[1]: group modp1024 differs from modp2048 of an earlier proposal;"
                        + " a tunnel has one PFS group");
        assertError(VALID.replace("\"aes256-sha256-modp2048\"]\nlifetime", "\"aes256-sha256\"]\nlifetime"),
                "t.toml:17: peers.gw-b.tunnels.net.esp[1]: has no PFS group while other esp proposals have one");
        assertError(VALID.replace("lifetime = 1800", "lifetime = 1800\npfs = \"none\""),
                "t.toml:17: peers.gw-b.tunnels.net.esp[0]: group modp2048 conflicts with pfs = \"none\"");
        assertError(VALID.replace("lifetime = 1800", "lifetime = 1800\npfs = \"modp1024\""),
                "t.toml:17: peers.gw-b.tunnels.net.esp[0]: group modp2048 conflicts with pfs = \"modp1024\"");
        assertError(VALID.replace("lifetime = 1800", "lifetme = 1800"),
                "t.toml:18: peers.gw-b.tunnels.net.lifetme: unknown key 'lifetme' (did you mean 'lifetime'?)");
        assertError(VALID.replace("[peers.gw-b.tunnels.host]", "[peers.gw-b.tunnel.host]"),
                "t.toml:20: peers.gw-b.tunnel: unknown key 'tunnel' (did you mean 'tunnels'?)");
        assertError(VALID + "\n[peers.\"gw c\"]\n",
                "t.toml:25: peers.\"gw c\": name must consist of letters, digits, '.', '_' and '-'");
        assertError(VALID + "\n[peers.gw-c]\nlocal = \"127.0.0.1\"\nremote = \"127.0.0.2:500\"\npsk = \"y\"\n"
                + "ike = [\"aes128-sha1-modp2048\"]\n",
                "t.toml:27: peers.gw-c.remote: 127.0.0.2:500 is already the remote of peer gw-b");
        assertError("[peers.x]\n", "t.toml:1: daemon: missing table [daemon]");
        assertError(VALID + "\n[logging]\n", "t.toml:25: logging: unknown key 'logging'");
    }

    @Test
    void syntaxErrorsGiveLineAndColumn() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse("[daemon]\nlisten = [\"a\" \"b\"]\n"));
        assertEquals(1, e.errors().size());
        assertTrue(e.errors().get(0).startsWith("t.toml:2:"), e.errors().get(0));
        assertTrue(e.errors().get(0).matches("t\\.toml:\\d+:\\d+: .+"), e.errors().get(0));
    }

    @Test
    void syntaxErrorsNeverQuoteASecret() {
        for (String line : List.of("psk = hunter2-without-quotes", "psk = \"hunter2 unterminated",
                "  psk='hunter2' 'more hunter2'", "psk = \"hunter2 with bad \\q escape\"",
                "x = { psk = hunter2 }")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> parse(VALID.replace("psk = \"" + SECRET + "\"", line)));
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertFalse(e.getMessage().contains("'h'"), e.getMessage());
            assertTrue(e.getMessage().startsWith("t.toml:9:"), e.getMessage());
        }
    }

    @Test
    void secretsAppearInNoMessageNorToString() throws Exception {
        DaemonConfig c = parse(VALID);
        assertFalse(c.toString().contains(SECRET), "DaemonConfig.toString");
        assertFalse(c.toString().contains("horse"), "DaemonConfig.toString");
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse(VALID.replace("remote = \"127.0.0.2\"", "remote = \"nowhere\"").replace("auto", "autostart")));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertFalse(e.getMessage().contains("horse"), e.getMessage());
    }

    private static void assertError(String text, String expectedPrefix) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text), expectedPrefix);
        assertTrue(e.errors().stream().anyMatch(m -> m.startsWith(expectedPrefix)),
                "expected an error starting\n  " + expectedPrefix + "\ngot\n  " + String.join("\n  ", e.errors()));
        assertFalse(e.getMessage().contains("horse"), e.getMessage());
    }
}
