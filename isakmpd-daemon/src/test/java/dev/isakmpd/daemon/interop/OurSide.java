package dev.isakmpd.daemon.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Our daemon as the interop harness runs it in namespace "us" (scripts/interop/run-scenario.sh
 * --ours-cmd): a script that writes its config from the harness's INTEROP_* environment, starts
 * the daemon, signals readiness once it listens, and runs until the harness stops it.
 */
final class OurSide {
    static final Path JAR = Path.of("target", "isakmpd.jar").toAbsolutePath();

    /**
     * The lab guest has one slow CPU: a default JVM (C2 compiler threads and G1's beside the main
     * thread) took about twice as long to reach "listening on" as C1 alone with the serial
     * collector (18 s against 10 s on a loaded machine). A class-data-sharing archive did not help
     * further: Bouncy Castle's jars are signed, and CDS skips signed classes.
     */
    static final String JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData";

    private OurSide() {
    }

    /**
     * @param kernel  daemon.kernel ("memory", "pfkey" or "xfrm")
     * @param auto    the peer's auto setting: a literal, or a shell expression such as "$auto"
     * @param tunnelExtra extra TOML lines for the tunnel table (e.g. a short lifetime), may be empty
     */
    static String script(String kernel, String auto, String tunnelExtra) {
        return script(kernel, auto, "", tunnelExtra);
    }

    /** @param peerExtra extra TOML lines for the peer table (e.g. a short ike-lifetime), may be empty */
    static String script(String kernel, String auto, String peerExtra, String tunnelExtra) {
        return String.join("\n",
                "#!/bin/bash",
                "out=$INTEROP_OUT",
                // two-daemons-scenario.sh runs a second daemon beside "ours" in the same directory
                "side=${INTEROP_SIDE:-ours}",
                "auto=add; [ \"$INTEROP_INITIATOR\" = us ] && auto=start",
                // an IPv6 endpoint is written [address]:port
                "ep() { case $1 in *:*) printf '[%s]:500' \"$1\" ;; *) printf '%s:500' \"$1\" ;; esac; }",
                "local_ep=$(ep \"$INTEROP_LOCAL_ADDR\"); remote_ep=$(ep \"$INTEROP_REMOTE_ADDR\")",
                // --pki: certificates (git does not keep the key's mode 600, the daemon insists on it)
                "if [ -n \"${INTEROP_PKI:-}\" ]; then",
                "  cp \"$INTEROP_PKI/$INTEROP_CERT_US.key.pem\" \"$out/$side.key.pem\"; chmod 600 \"$out/$side.key.pem\"",
                "  auth=\"auth = \\\"pubkey\\\"",
                "certificate = \\\"$INTEROP_PKI/$INTEROP_CERT_US.chain.pem\\\"",
                "private-key = \\\"$out/$side.key.pem\\\"",
                "ca = [\\\"$INTEROP_PKI/root.crt.pem\\\"]",
                "crl = [\\\"$INTEROP_PKI/intermediate.crl.pem\\\"]",
                "remote-id = \\\"$INTEROP_SW_ID\\\"\"",
                "else",
                "  auth=\"psk = \\\"$INTEROP_PSK\\\"\"",
                "fi",
                "[ \"${INTEROP_AGGRESSIVE:-0}\" = 1 ] && auth=\"$auth",
                "aggressive = true\" && [ -z \"${INTEROP_PKI:-}\" ] && auth=\"$auth",
                "aggressive-exposes-psk = true\"",
                "[ \"${INTEROP_REMOTE_ANY:-0}\" = 1 ] && remote_ep=any",
                "cat >\"$out/$side.toml\" <<EOT",
                "[daemon]",
                "listen = [\"$local_ep\"]",
                "kernel = \"" + kernel + "\"",
                "status-file = \"$out/$side.status\"",
                "control-socket = \"off\"",
                "",
                "[peers.strongswan]",
                "local = \"$local_ep\"",
                "remote = \"$remote_ep\"",
                "$auth",
                "ike = [\"$INTEROP_IKE\"]",
                "auto = \"" + auto + "\"",
                // probe strongSwan often, so that even short scenarios exercise RFC 3706 with it
                "dpd-delay = \"2s\"",
                "dpd-timeout = \"30s\"",
                peerExtra,
                "",
                "[peers.strongswan.tunnels.net]",
                "local-subnet = \"$INTEROP_LOCAL_TS\"",
                "remote-subnet = \"$INTEROP_REMOTE_TS\"",
                // run-scenario.sh --ah: the proposal is AH's
                "${INTEROP_PROTO:-esp} = [\"$INTEROP_ESP\"]",
                "pfs = \"$INTEROP_PFS\"",
                "mode = \"${INTEROP_MODE:-tunnel}\"",
                tunnelExtra,
                "EOT",
                "java " + JVM_OPTIONS + " -Djna.tmpdir=\"$out\" -jar " + JAR
                        + " run --config \"$out/$side.toml\" --log-level debug &",
                "pid=$!",
                "trap 'kill -TERM $pid; wait $pid' TERM",
                // a JVM in the single-CPU lab guest can take tens of seconds to start under load (once 45 s
                // in CI); run-scenario.sh waits up to its --ready-timeout, 90 s by default
                "for i in $(seq 1 900); do",
                "  grep -q 'listening on' \"$out/$side.log\" 2>/dev/null && break",
                "  kill -0 $pid 2>/dev/null || break",
                "  sleep 0.1",
                "done",
                "touch \"$INTEROP_READY_FILE\"",
                "wait $pid",
                "");
    }

    /** A result file of the harness, or "" if the scenario did not get that far. */
    static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
