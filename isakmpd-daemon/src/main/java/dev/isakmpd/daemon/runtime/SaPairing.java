package dev.isakmpd.daemon.runtime;

import dev.isakmpd.daemon.runtime.StatusFile.EspEntry;
import dev.isakmpd.daemon.runtime.StatusFile.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks that two peers' SA tables describe the same tunnel: each outbound SA of one is an inbound
 * SA of the other, with the same SPI, addresses, algorithms and keys (compared by fingerprint).
 */
public final class SaPairing {
    private SaPairing() {
    }

    /** Every disagreement between the two tables; empty when they pair up and each side has both directions. */
    public static List<String> mismatches(String nameA, Table a, String nameB, Table b) {
        List<String> out = new ArrayList<>();
        oneWay(nameA, a, nameB, b, out);
        oneWay(nameB, b, nameA, a, out);
        return out;
    }

    private static void oneWay(String senderName, Table sender, String receiverName, Table receiver,
            List<String> out) {
        List<EspEntry> outbound = sender.esp().stream().filter(e -> e.direction().equals("out")).toList();
        if (outbound.isEmpty()) {
            out.add(senderName + " has no outbound ESP SA");
        }
        for (EspEntry o : outbound) {
            Optional<EspEntry> in = receiver.esp().stream()
                    .filter(e -> e.direction().equals("in") && e.spi().equals(o.spi())).findFirst();
            if (in.isEmpty()) {
                out.add(receiverName + " has no inbound SA for " + senderName + "'s outbound spi=" + o.spi());
                continue;
            }
            EspEntry i = in.get();
            String what = senderName + " out / " + receiverName + " in spi=" + o.spi() + ": ";
            compare(what + "source", o.source(), i.source(), out);
            compare(what + "destination", o.destination(), i.destination(), out);
            compare(what + "algorithms", o.algorithms(), i.algorithms(), out);
            compare(what + "encryption key fingerprint", o.encryptionKeyFingerprint(), i.encryptionKeyFingerprint(), out);
            compare(what + "authentication key fingerprint", o.authenticationKeyFingerprint(),
                    i.authenticationKeyFingerprint(), out);
        }
    }

    private static void compare(String what, String x, String y, List<String> out) {
        if (!x.equals(y)) {
            out.add(what + " differ: " + x + " vs " + y);
        }
    }
}
