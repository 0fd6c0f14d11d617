package dev.isakmpd.daemon.it;

/** Configuration text for test daemons: one peer, one tunnel, in-memory kernel. */
final class Configs {
    private Configs() {
    }

    /** Without a control socket: several test daemons must not compete for the default path. */
    static String daemon(String listen, String statusFile) {
        return daemon(listen, statusFile, "off", "");
    }

    /** With a control socket, and {@code extra} daemon keys (e.g. short retransmit timers). */
    static String daemon(String listen, String statusFile, String controlSocket, String extra) {
        return "[daemon]\nlisten = [\"" + listen + "\"]\nkernel = \"memory\"\n"
                + (statusFile == null ? "" : "status-file = \"" + statusFile + "\"\n")
                + "control-socket = \"" + controlSocket + "\"\n" + extra;
    }

    /** Main Mode gives up after about a second: keying tries and their backoff show within seconds. */
    static final String FAST_RETRANSMIT = "retransmit-timeout = \"200ms\"\nretransmit-timeout-max = \"400ms\"\n"
            + "retransmit-tries = 2\n";

    static String peer(String name, String local, String remote, String psk, boolean autoStart, String localNet,
            String remoteNet) {
        return peer(name, local, remote, psk, autoStart, localNet, remoteNet, "");
    }

    /** {@code extra}: more peer keys (keying-tries, close-action, dpd-delay ...). */
    static String peer(String name, String local, String remote, String psk, boolean autoStart, String localNet,
            String remoteNet, String extra) {
        return "\n[peers." + name + "]\nlocal = \"" + local + "\"\nremote = \"" + remote + "\"\npsk = \"" + psk + "\"\n"
                + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"" + (autoStart ? "start" : "add") + "\"\n" + extra
                + "\n[peers." + name + ".tunnels.net]\nlocal-subnet = \"" + localNet + "\"\nremote-subnet = \""
                + remoteNet + "\"\nesp = [\"aes256-sha256\", \"aes128-sha1\"]\npfs = \"modp2048\"\nlifetime = \"20m\"\n";
    }
}
