package dev.isakmpd.core.wire;

import java.util.List;

/**
 * Result of walking a payload chain.
 *
 * @param payloads the decoded payloads in message order
 * @param consumed bytes from the start offset to the end of the last payload; anything after it up to the given
 *                 length was not part of the chain (CBC padding in a decrypted body, RFC 2408 s3.5/3.6 alignment
 *                 padding in a plaintext one)
 */
public record DecodedPayloads(List<Payload> payloads, int consumed) {
    public DecodedPayloads {
        payloads = List.copyOf(payloads);
    }
}
