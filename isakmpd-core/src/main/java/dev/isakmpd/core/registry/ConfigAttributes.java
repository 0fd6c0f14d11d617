package dev.isakmpd.core.registry;

/**
 * Attribute classes of the Attribute payload (type 14) in the Transaction exchange: mode-config
 * (draft-dukes-ike-mode-cfg-02 s3.4; 16384..32767 private use) and XAUTH (draft-beaulieu-ike-xauth-02 s6.1, in
 * that private range). Classes whose value is a secret are flagged so dumps show only their length.
 */
public final class ConfigAttributes {
    // draft-dukes-ike-mode-cfg-02 s3.4 (all "Variable" on the wire)
    public static final int INTERNAL_IP4_ADDRESS = 1;
    public static final int INTERNAL_IP4_NETMASK = 2;
    public static final int INTERNAL_IP4_DNS = 3;
    public static final int INTERNAL_IP4_NBNS = 4;
    public static final int INTERNAL_ADDRESS_EXPIRY = 5;
    public static final int INTERNAL_IP4_DHCP = 6;
    public static final int APPLICATION_VERSION = 7;
    public static final int INTERNAL_IP6_ADDRESS = 8;
    public static final int INTERNAL_IP6_NETMASK = 9;
    public static final int INTERNAL_IP6_DNS = 10;
    public static final int INTERNAL_IP6_NBNS = 11;
    public static final int INTERNAL_IP6_DHCP = 12;
    public static final int INTERNAL_IP4_SUBNET = 13;
    public static final int SUPPORTED_ATTRIBUTES = 14;
    public static final int INTERNAL_IP6_SUBNET = 15;

    // draft-beaulieu-ike-xauth-02 s6.1
    public static final int XAUTH_TYPE = 16520;          // basic
    public static final int XAUTH_USER_NAME = 16521;
    public static final int XAUTH_USER_PASSWORD = 16522; // secret
    public static final int XAUTH_PASSCODE = 16523;      // secret
    public static final int XAUTH_MESSAGE = 16524;
    public static final int XAUTH_CHALLENGE = 16525;
    public static final int XAUTH_DOMAIN = 16526;
    public static final int XAUTH_STATUS = 16527;        // basic
    public static final int XAUTH_NEXT_PIN = 16528;      // secret
    public static final int XAUTH_ANSWER = 16529;        // secret

    // Cisco Unity (specs/cisco-unity-and-xauth-notes.md s3): text, and 14-byte network entries
    public static final int UNITY_BANNER = 28672;
    public static final int UNITY_DEF_DOMAIN = 28674;
    public static final int UNITY_SPLIT_INCLUDE = 28676;

    // XAUTH-TYPE values (s6.2)
    public static final int XAUTH_TYPE_GENERIC = 0;
    public static final int XAUTH_TYPE_RADIUS_CHAP = 1;
    public static final int XAUTH_TYPE_OTP = 2;
    public static final int XAUTH_TYPE_SKEY = 3;
    // XAUTH-STATUS values
    public static final int XAUTH_STATUS_FAIL = 0;
    public static final int XAUTH_STATUS_OK = 1;

    public static final AttributeSpace SPACE = new AttributeTable()
            .attributeClass(INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS")
            .attributeClass(INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK")
            .attributeClass(INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS")
            .attributeClass(INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS")
            .attributeClass(INTERNAL_ADDRESS_EXPIRY, "INTERNAL_ADDRESS_EXPIRY")
            .attributeClass(INTERNAL_IP4_DHCP, "INTERNAL_IP4_DHCP")
            .attributeClass(APPLICATION_VERSION, "APPLICATION_VERSION")
            .attributeClass(INTERNAL_IP6_ADDRESS, "INTERNAL_IP6_ADDRESS")
            .attributeClass(INTERNAL_IP6_NETMASK, "INTERNAL_IP6_NETMASK")
            .attributeClass(INTERNAL_IP6_DNS, "INTERNAL_IP6_DNS")
            .attributeClass(INTERNAL_IP6_NBNS, "INTERNAL_IP6_NBNS")
            .attributeClass(INTERNAL_IP6_DHCP, "INTERNAL_IP6_DHCP")
            .attributeClass(INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET")
            .attributeClass(SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES")
            .attributeClass(INTERNAL_IP6_SUBNET, "INTERNAL_IP6_SUBNET")
            .attributeClass(UNITY_BANNER, "UNITY_BANNER")
            .attributeClass(UNITY_DEF_DOMAIN, "UNITY_DEF_DOMAIN")
            .attributeClass(UNITY_SPLIT_INCLUDE, "UNITY_SPLIT_INCLUDE")
            .attributeClass(XAUTH_TYPE, "XAUTH-TYPE")
            .attributeClass(XAUTH_USER_NAME, "XAUTH-USER-NAME")
            .attributeClass(XAUTH_USER_PASSWORD, "XAUTH-USER-PASSWORD")
            .attributeClass(XAUTH_PASSCODE, "XAUTH-PASSCODE")
            .attributeClass(XAUTH_MESSAGE, "XAUTH-MESSAGE")
            .attributeClass(XAUTH_CHALLENGE, "XAUTH-CHALLENGE")
            .attributeClass(XAUTH_DOMAIN, "XAUTH-DOMAIN")
            .attributeClass(XAUTH_STATUS, "XAUTH-STATUS")
            .attributeClass(XAUTH_NEXT_PIN, "XAUTH-NEXT-PIN")
            .attributeClass(XAUTH_ANSWER, "XAUTH-ANSWER")
            .values(XAUTH_TYPE, new Names()
                    .put(XAUTH_TYPE_GENERIC, "Generic")
                    .put(XAUTH_TYPE_RADIUS_CHAP, "RADIUS-CHAP")
                    .put(XAUTH_TYPE_OTP, "OTP")
                    .put(XAUTH_TYPE_SKEY, "S/KEY"))
            .values(XAUTH_STATUS, new Names()
                    .put(XAUTH_STATUS_FAIL, "FAIL")
                    .put(XAUTH_STATUS_OK, "OK"))
            .secret(XAUTH_USER_PASSWORD)
            .secret(XAUTH_PASSCODE)
            .secret(XAUTH_NEXT_PIN)
            .secret(XAUTH_ANSWER);

    private ConfigAttributes() {
    }

    /** Classes whose value is an address (or address + mask/prefix) rather than a number, for dumps. */
    public static boolean isAddressClass(int type) {
        return (type >= INTERNAL_IP4_ADDRESS && type <= INTERNAL_IP4_NBNS) || type == INTERNAL_IP4_DHCP
                || (type >= INTERNAL_IP6_ADDRESS && type <= INTERNAL_IP4_SUBNET) || type == INTERNAL_IP6_SUBNET;
    }

    /** Classes whose value is text. */
    public static boolean isTextClass(int type) {
        return type == APPLICATION_VERSION || type == UNITY_BANNER || type == UNITY_DEF_DOMAIN || type == XAUTH_USER_NAME || type == XAUTH_MESSAGE
                || type == XAUTH_CHALLENGE || type == XAUTH_DOMAIN;
    }
}
