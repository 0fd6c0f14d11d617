package dev.isakmpd.daemon.config;

/** Where IPsec SAs are installed. */
public enum KernelType {
    /** An in-memory table: demos and tests, nothing reaches the IP stack. */
    MEMORY("memory"),
    /** The PF_KEY v2 socket of the host. */
    PFKEY("pfkey");

    private final String configName;

    KernelType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
