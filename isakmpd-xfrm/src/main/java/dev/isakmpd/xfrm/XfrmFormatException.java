package dev.isakmpd.xfrm;

/** Bytes from the kernel that are not a well-formed netlink/XFRM message; says where and why. */
public final class XfrmFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public XfrmFormatException(String message) {
        super(message);
    }
}
