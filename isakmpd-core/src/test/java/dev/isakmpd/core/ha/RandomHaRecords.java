package dev.isakmpd.core.ha;

import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.EspCipher;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.registry.ProtocolId;
import dev.isakmpd.core.sa.BundledSa;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.core.sa.UdpEncapsulation;
import dev.isakmpd.core.wire.IdentificationPayload;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/** Seeded generator of every {@link HaRecord} type, with every optional part present or not. */
final class RandomHaRecords {
    private final Random rnd;

    RandomHaRecords(long seed) {
        rnd = new Random(seed);
    }

    HaRecord any() {
        return switch (rnd.nextInt(7)) {
            case 0 -> isakmpSa();
            case 1 -> pair();
            case 2 -> new HaRecord.IsakmpDelete(cookies());
            case 3 -> new HaRecord.PairDelete(new HaRecord.SpiKey(address(), rnd.nextInt()));
            case 4 -> counters();
            case 5 -> new HaRecord.PairLive(new HaRecord.SpiKey(address(), rnd.nextInt()));
            default -> new HaRecord.DpdSequence(cookies(), rnd.nextInt());
        };
    }

    HaRecord.IsakmpSa isakmpSa() {
        return new HaRecord.IsakmpSa(cookies(), rnd.nextBoolean(), name(), name() + "/" + name(), socket(), socket(),
                new HaRecord.Phase1Algorithms(rnd.nextInt(8), 128, rnd.nextInt(7), rnd.nextInt(32), 1 + rnd.nextInt(5),
                        rnd.nextInt(86400)),
                IdentificationPayload.fqdn(name() + ".example"),
                rnd.nextBoolean() ? Optional.of(IdentificationPayload.of(address())) : Optional.empty(), secret(20),
                secret(32), secret(48), bytes(16),
                new HaRecord.Capabilities(rnd.nextBoolean(), rnd.nextInt(5), rnd.nextBoolean(), rnd.nextBoolean(),
                        rnd.nextBoolean(), rnd.nextBoolean()),
                rnd.nextLong() & Long.MAX_VALUE);
    }

    HaRecord.IpsecPair pair() {
        boolean v6 = rnd.nextBoolean();
        InetAddress us = address(v6);
        InetAddress them = address(v6);
        IpsecSa in = sa(IpsecSa.Direction.IN, them, us, v6);
        IpsecSa out = sa(IpsecSa.Direction.OUT, us, them, v6);
        return new HaRecord.IpsecPair(cookies(), name(), rnd.nextBoolean() ? null : "CN=" + name(), in, out,
                rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextLong() & Long.MAX_VALUE,
                rnd.nextBoolean() ? 0 : rnd.nextLong() & Long.MAX_VALUE);
    }

    HaRecord.Counters counters() {
        return new HaRecord.Counters(new HaRecord.SpiKey(address(), rnd.nextInt()), new ReplayState(
                rnd.nextLong() & 0xffffffffL, rnd.nextLong() & 0xffffffffL, rnd.nextInt()), rnd.nextLong());
    }

    private IpsecSa sa(IpsecSa.Direction dir, InetAddress src, InetAddress dst, boolean v6) {
        boolean ah = rnd.nextInt(5) == 0;
        EspCipher cipher = ah ? EspCipher.NULL : EspCipher.values()[rnd.nextInt(EspCipher.values().length)];
        int bits = cipher == EspCipher.DES3_CBC ? 192 : cipher == EspCipher.NULL ? 0 : 128 + 64 * rnd.nextInt(3);
        EspIntegrity integrity = cipher.isAead() ? EspIntegrity.NONE
                : EspIntegrity.values()[rnd.nextInt(EspIntegrity.values().length - 1)];
        List<BundledSa> bundle = new ArrayList<>();
        if (!ah && rnd.nextBoolean()) {
            bundle.add(new BundledSa(ProtocolId.IPSEC_AH, rnd.nextInt(), EspIntegrity.HMAC_SHA2_256, secret(32)));
        }
        if (rnd.nextBoolean()) {
            bundle.add(BundledSa.ipcomp(rnd.nextInt(0x10000)));
        }
        Optional<UdpEncapsulation> udp = rnd.nextBoolean() ? Optional.empty()
                : Optional.of(new UdpEncapsulation(1 + rnd.nextInt(65535), 1 + rnd.nextInt(65535),
                        rnd.nextBoolean() ? Optional.of(address(v6)) : Optional.empty()));
        return new IpsecSa(name(), name(), dir, rnd.nextInt(), src, dst, subnet(v6), subnet(v6), cipher, bits,
                secret(cipher.keymatLength(bits)), integrity, secret(integrity.keyLength()),
                Duration.ofSeconds(rnd.nextInt(100000)), rnd.nextBoolean(), udp,
                rnd.nextBoolean() ? IpsecMode.TUNNEL : IpsecMode.TRANSPORT, rnd.nextInt(1 << 20),
                ah ? ProtocolId.IPSEC_AH : ProtocolId.IPSEC_ESP, bundle, 0.5 + rnd.nextDouble() / 2);
    }

    private Subnet subnet(boolean v6) {
        return rnd.nextInt(4) == 0 ? new Subnet(zero(v6), 0) : new Subnet(address(v6), v6 ? 128 : 32);
    }

    private static InetAddress zero(boolean v6) {
        try {
            return InetAddress.getByAddress(new byte[v6 ? 16 : 4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    HaRecord.CookiePair cookies() {
        return new HaRecord.CookiePair(bytes(8), bytes(8));
    }

    private InetSocketAddress socket() {
        return new InetSocketAddress(address(), rnd.nextBoolean() ? 500 : 4500);
    }

    private InetAddress address() {
        return address(rnd.nextBoolean());
    }

    /** A documentation address: 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32. */
    private InetAddress address(boolean v6) {
        byte[] b = v6 ? new byte[16] : new byte[] {(byte) 198, 51, 100, 0};
        if (v6) {
            b[0] = 0x20;
            b[1] = 0x01;
            b[2] = 0x0d;
            b[3] = (byte) 0xb8;
            b[15] = (byte) rnd.nextInt(256);
        } else {
            if (rnd.nextBoolean()) {
                b = new byte[] {(byte) 203, 0, 113, 0};
            }
            b[3] = (byte) rnd.nextInt(256);
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private String name() {
        StringBuilder s = new StringBuilder();
        int n = 1 + rnd.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append((char) ('a' + rnd.nextInt(26)));
        }
        return rnd.nextInt(8) == 0 ? s + "\u00e9\u4e16" : s.toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private SecretBytes secret(int n) {
        return SecretBytes.copyOf(bytes(n));
    }
}
