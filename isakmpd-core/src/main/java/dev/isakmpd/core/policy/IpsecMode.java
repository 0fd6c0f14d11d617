package dev.isakmpd.core.policy;

import dev.isakmpd.core.registry.IpsecAttributes;

/**
 * How an IPsec SA carries traffic (RFC 2407 s4.5 Encapsulation Mode): tunnel mode wraps whole
 * packets between two gateways; transport mode protects the payload of packets between the two
 * hosts themselves, whose addresses are then the traffic selectors.
 */
public enum IpsecMode {
    TUNNEL(IpsecAttributes.ENCAP_TUNNEL, "tunnel"),
    TRANSPORT(IpsecAttributes.ENCAP_TRANSPORT, "transport");

    private final int attributeValue;
    private final String configName;

    IpsecMode(int attributeValue, String configName) {
        this.attributeValue = attributeValue;
        this.configName = configName;
    }

    /** The Encapsulation Mode attribute value. */
    public int attributeValue() {
        return attributeValue;
    }

    /** As the config file and logs write it. */
    public String configName() {
        return configName;
    }
}
