package dev.isakmpd.core.wire;

import dev.isakmpd.core.registry.PayloadType;

import java.util.Arrays;

/** Key Exchange payload (RFC 2408 s3.7): the DH public value; its size is checked against the group by the exchange. */
public record KeyExchangePayload(byte[] keyData) implements Payload {

    public KeyExchangePayload {
        keyData = Bytes.copy(keyData, "keyData");
    }

    @Override
    public PayloadType type() {
        return PayloadType.KE;
    }

    @Override
    public byte[] keyData() {
        return keyData.clone();
    }

    public int length() {
        return keyData.length;
    }

    void writeBody(WireWriter w) {
        w.bytes(keyData);
    }

    static KeyExchangePayload decodeBody(WireReader r) {
        return new KeyExchangePayload(r.rest());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyExchangePayload p && Arrays.equals(p.keyData, keyData);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keyData);
    }

    @Override
    public String toString() {
        return "KE[" + Bytes.shortHex(keyData) + "]";
    }
}
