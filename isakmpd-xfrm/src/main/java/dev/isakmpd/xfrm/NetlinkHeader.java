package dev.isakmpd.xfrm;

/** struct nlmsghdr without its length (the codec computes it): type, flags, sequence number, port id. */
public record NetlinkHeader(int type, int flags, int seq, int pid) {
}
