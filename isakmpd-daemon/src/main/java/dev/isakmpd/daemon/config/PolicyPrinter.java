package dev.isakmpd.daemon.config;

import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.oakley.DhGroup;
import java.io.PrintWriter;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Collectors;

/** Prints a parsed configuration as the daemon understood it, for {@code isakmpd check}. Never prints a secret. */
public final class PolicyPrinter {
    private PolicyPrinter() {
    }

    public static void print(DaemonConfig config, PrintWriter out) {
        out.println("daemon");
        row(out, "  ", "listen", config.listen().stream().map(Endpoints::format).collect(Collectors.joining(", ")));
        row(out, "  ", "kernel", config.kernel().configName());
        config.statusFile().ifPresent(f -> row(out, "  ", "status-file", f.toString()));
        row(out, "  ", "control", config.control().map(c -> c.path() + " (mode "
                + PosixFilePermissions.toString(c.mode()) + c.group().map(g -> ", group " + g)
                .orElse("") + ")").orElse("off"));
        row(out, "  ", "retransmit", "after " + Durations.format(config.retransmit().initial()) + ", doubling to "
                + Durations.format(config.retransmit().max()) + ", " + config.retransmit().retries() + " times");
        row(out, "  ", "crypto", config.crypto().describe());
        if (config.allowLegacyCrypto()) {
            row(out, "  ", "allow-legacy-crypto", "true (DES and EC2N groups accepted)");
        }
        for (PeerPolicy p : config.peers()) {
            out.println("peer " + p.name());
            row(out, "  ", "local", Endpoints.format(p.local()));
            row(out, "  ", "remote", Endpoints.format(p.remote()));
            row(out, "  ", "psk", config.pskFiles().containsKey(p.name())
                    ? "(secret, from " + config.pskFiles().get(p.name()) + ")" : "(secret, inline)");
            row(out, "  ", "ike", p.ikeProposals().stream().map(Phase1Proposal::name).collect(Collectors.joining(", ")));
            row(out, "  ", "ike-lifetime", Durations.format(p.ikeLifetime()));
            row(out, "  ", "auto", p.autoStart() ? "start" : "add");
            RestartPolicy r = config.restartPolicy(p.name());
            row(out, "  ", "keying-tries", (r.forever() ? "forever" : Integer.toString(r.keyingTries())) + ", retry after "
                    + Durations.format(r.retryDelay()) + " doubling to " + Durations.format(r.retryDelayMax()));
            row(out, "  ", "on loss", "close-action " + r.closeAction().name().toLowerCase() + ", dpd-action "
                    + r.dpdAction().name().toLowerCase());
            row(out, "  ", "dpd", p.dpd().map(d -> "probe after " + Durations.format(d.delay()) + " of silence, dead after "
                    + Durations.format(d.timeout())).orElse("answer only"));
            for (TunnelPolicy t : p.tunnels()) {
                out.println("  tunnel " + t.name());
                row(out, "    ", "selectors", t.local() + " === " + t.remote());
                row(out, "    ", "esp", t.proposals().stream().map(Object::toString).collect(Collectors.joining(", ")));
                row(out, "    ", "pfs", t.pfsGroup().map(DhGroup::name).orElse("none"));
                row(out, "    ", "lifetime", Durations.format(t.lifetime()));
            }
        }
        out.flush();
    }

    private static void row(PrintWriter out, String indent, String key, String value) {
        out.printf("%s%-13s %s%n", indent, key, value);
    }
}
