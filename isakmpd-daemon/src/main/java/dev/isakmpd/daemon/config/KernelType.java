package dev.isakmpd.daemon.config;

/** Where IPsec SAs are installed. */
public enum KernelType {
    /** XFRM netlink on Linux when it opens, PF_KEY otherwise (the BSDs); the default. */
    AUTO("auto"),
    /** An in-memory table: demos and tests, nothing reaches the IP stack. */
    MEMORY("memory"),
    /** The PF_KEY v2 socket of the host. */
    PFKEY("pfkey"),
    /** Linux XFRM netlink (NETLINK_XFRM). */
    XFRM("xfrm");

    private final String configName;

    KernelType(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
