package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelsTest {
    /** A kernel like Linux's af_key as the adapter sees it: no HMAC-SHA2-256 (96-bit ICV). */
    static final class NoSha256 implements dev.isakmpd.core.kernel.Kernel {
        @Override
        public int allocateSpi(java.net.InetAddress source, java.net.InetAddress destination) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void install(dev.isakmpd.core.sa.IpsecSa sa) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void delete(java.net.InetAddress destination, int spi) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<dev.isakmpd.core.sa.IpsecSa> list() {
            return List.of();
        }

        @Override
        public boolean supports(EspCipher cipher, int keyBits, EspIntegrity integrity) {
            return integrity != EspIntegrity.HMAC_SHA2_256;
        }
    }

    static PeerPolicy peer(String... esp) {
        List<EspProposal> proposals = java.util.Arrays.stream(esp).map(e -> ProposalNames.parseEsp(e).proposal()).toList();
        TunnelPolicy t = new TunnelPolicy("net", Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"), proposals,
                Optional.empty(), Duration.ofHours(1));
        InetSocketAddress us = Addresses.parseEndpoint("192.0.2.1", 500);
        return new PeerPolicy("gw", us, Addresses.parseEndpoint("192.0.2.2", 500),
                new PeerAuth.PreSharedKey(SecretBytes.copyOf(new byte[] {1})),
                List.of(ProposalNames.parseIke("aes128-sha256-modp2048")), Duration.ofHours(3), List.of(t), false,
                Optional.empty(), Identity.address(us.getAddress()), Optional.empty(), Optional.empty(), false);
    }

    @Test
    void leavesOutWhatTheKernelCannotInstall() throws Exception {
        List<PeerPolicy> out = Kernels.supportedByKernel(List.of(peer("aes128-sha256", "aes128-sha1")), new NoSha256());
        assertEquals(List.of("aes128-sha1"), out.get(0).tunnels().get(0).proposals().stream().map(EspProposal::name)
                .toList());
    }

    @Test
    void refusesATunnelWithNothingLeft() {
        KernelException e = assertThrows(KernelException.class,
                () -> Kernels.supportedByKernel(List.of(peer("aes256-sha256")), new NoSha256()));
        assertTrue(e.getMessage().contains("peer gw tunnel net: none of its ESP proposals [aes256-sha256] can be"
                + " installed by this kernel"), e.getMessage());
    }

    @Test
    void theInMemoryKernelTakesEverything() throws Exception {
        List<PeerPolicy> in = List.of(peer("aes128-sha256", "3des-md5"));
        assertEquals(in.get(0).tunnels().get(0).proposals(),
                Kernels.supportedByKernel(in, new InMemoryKernel()).get(0).tunnels().get(0).proposals());
    }

    @Test
    void onePolicyPerTunnelBetweenThePeersEndpoints() {
        assertEquals(List.of(new SpdTunnel("gw", "net", Addresses.parseLiteral("192.0.2.1"),
                Addresses.parseLiteral("192.0.2.2"), Subnet.parse("10.1.0.0/16"), Subnet.parse("10.2.0.0/16"))),
                Kernels.policies(List.of(peer("aes128-sha1"))));
    }

    static dev.isakmpd.daemon.config.DaemonConfig config(String kernel) throws Exception {
        return dev.isakmpd.daemon.config.ConfigLoader.parse("[daemon]\nlisten = [\"192.0.2.1\"]\nkernel = \"" + kernel
                + "\"\n", "t.toml", java.nio.file.Path.of("/etc/isakmpd"));
    }

    @Test
    void autoTakesXfrmWhereItOpens() throws Exception {
        try {
            dev.isakmpd.xfrm.XfrmSocket.open(false).close();
        } catch (dev.isakmpd.xfrm.XfrmUnavailableException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no XFRM netlink here: " + e.getMessage());
        }
        dev.isakmpd.core.kernel.Kernel k = Kernels.open(config("auto"));
        try {
            assertTrue(k instanceof dev.isakmpd.xfrm.XfrmKernel, k.getClass().getName());
            assertTrue(k.supports(EspCipher.AES_CBC, 128, EspIntegrity.HMAC_SHA2_256), "sha256 over XFRM");
        } finally {
            k.close();
        }
    }

    @Test
    void xfrmThatCannotOpenSaysWhyAndWhatToDo() throws Exception {
        try {
            dev.isakmpd.xfrm.XfrmSocket.open(false).close();
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "XFRM netlink opens here");
        } catch (dev.isakmpd.xfrm.XfrmUnavailableException expected) {
            KernelException e = assertThrows(KernelException.class, () -> Kernels.open(config("xfrm")));
            assertTrue(e.getMessage().startsWith("t.toml: daemon.kernel = \"xfrm\": socket(AF_NETLINK, SOCK_RAW,"
                    + " NETLINK_XFRM) failed: ") && e.getMessage().endsWith("set kernel = \"memory\""), e.getMessage());
        }
    }
}
