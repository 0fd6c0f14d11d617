package dev.isakmpd.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Address text in logs and the status file: RFC 5952 for IPv6 (examples from its sections 4.1-4.3). */
class AddressesTest {
    @ParameterizedTest
    @CsvSource({
        "2001:db8:0:0:0:0:0:1, 2001:db8::1",
        "2001:0db8:0:0:0:0:2:1, 2001:db8::2:1",       // s4.1: leading zeros dropped
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // s4.2.2: one zero group is not compressed
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",          // s4.2.3: the longest run
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",    // s4.2.3: the first of equal runs
        "2001:DB8:0:0:0:0:0:ABCD, 2001:db8::abcd",    // s4.3: lowercase
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "2001:db8:0:0:1:0:0:0, 2001:db8:0:0:1::",
        "198.51.100.1, 198.51.100.1",
    })
    void formatsLikeOtherTools(String literal, String expected) {
        assertEquals(expected, Addresses.format(Addresses.parseLiteral(literal)));
    }
}
