package dev.isakmpd.daemon.it;

/** Configuration text for test daemons: one peer, one tunnel, in-memory kernel. */
final class Configs {
    private Configs() {
    }

    static String daemon(String listen, String statusFile) {
        return "[daemon]\nlisten = [\"" + listen + "\"]\nkernel = \"memory\"\n"
                + (statusFile == null ? "" : "status-file = \"" + statusFile + "\"\n");
    }

    static String peer(String name, String local, String remote, String psk, boolean autoStart, String localNet,
            String remoteNet) {
        return "\n[peers." + name + "]\nlocal = \"" + local + "\"\nremote = \"" + remote + "\"\npsk = \"" + psk + "\"\n"
                + "ike = [\"aes128-sha256-modp2048\"]\nauto = \"" + (autoStart ? "start" : "add") + "\"\n"
                + "\n[peers." + name + ".tunnels.net]\nlocal-subnet = \"" + localNet + "\"\nremote-subnet = \""
                + remoteNet + "\"\nesp = [\"aes256-sha256\", \"aes128-sha1\"]\npfs = \"modp2048\"\nlifetime = \"20m\"\n";
    }
}
