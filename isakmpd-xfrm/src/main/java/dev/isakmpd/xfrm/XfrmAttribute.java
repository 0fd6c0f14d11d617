package dev.isakmpd.xfrm;

import dev.isakmpd.xfrm.XfrmStruct.Template;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** A netlink attribute of an XFRM message (struct nlattr: u16 length, u16 type, value padded to 4). */
public sealed interface XfrmAttribute {
    int type();

    /**
     * XFRMA_ALG_CRYPT / XFRMA_ALG_AUTH (struct xfrm_algo), XFRMA_ALG_AUTH_TRUNC (struct
     * xfrm_algo_auth: {@code extraBits} = alg_trunc_len) or XFRMA_ALG_AEAD (struct xfrm_algo_aead:
     * {@code extraBits} = alg_icv_len). {@code keyBits} is alg_key_len; the key is never shown.
     */
    record Algorithm(int type, String name, int keyBits, int extraBits, byte[] key) implements XfrmAttribute {
        public Algorithm {
            key = key.clone();
        }

        public static Algorithm crypt(String name, byte[] key) {
            return new Algorithm(Xfrm.XFRMA_ALG_CRYPT, name, key.length * 8, 0, key);
        }

        /** IPComp's algorithm (XFRMA_ALG_COMP): a name, no key. */
        public static Algorithm comp(String name) {
            return new Algorithm(Xfrm.XFRMA_ALG_COMP, name, 0, 0, new byte[0]);
        }

        /** RFC 4868 needs the truncation said explicitly: plain ALG_AUTH gives hmac(sha256) only 96 bits. */
        public static Algorithm authTrunc(String name, byte[] key, int truncBits) {
            return new Algorithm(Xfrm.XFRMA_ALG_AUTH_TRUNC, name, key.length * 8, truncBits, key);
        }

        /** RFC 4106 over XFRM: the key ends with the 4-byte salt, {@code icvBits} is alg_icv_len. */
        public static Algorithm aead(String name, byte[] keyAndSalt, int icvBits) {
            return new Algorithm(Xfrm.XFRMA_ALG_AEAD, name, keyAndSalt.length * 8, icvBits, keyAndSalt);
        }

        public boolean hasExtraField() {
            return type == Xfrm.XFRMA_ALG_AUTH_TRUNC || type == Xfrm.XFRMA_ALG_AEAD;
        }

        /** A copy of the key; wipe it after use. */
        @Override
        public byte[] key() {
            return key.clone();
        }

        public void wipe() {
            Arrays.fill(key, (byte) 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Algorithm a && a.type == type && a.name.equals(name) && a.keyBits == keyBits
                    && a.extraBits == extraBits && Arrays.equals(a.key, key);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + keyBits;
        }

        @Override
        public String toString() {
            return "Algorithm[" + type + " " + name + " key " + keyBits + " bits (redacted)"
                    + (hasExtraField() ? " " + (type == Xfrm.XFRMA_ALG_AEAD ? "icv " : "trunc ") + extraBits : "")
                    + "]";
        }
    }

    /** XFRMA_TMPL: the policy's bundle, an array of struct xfrm_user_tmpl. */
    record Templates(List<Template> templates) implements XfrmAttribute {
        public Templates {
            templates = List.copyOf(templates);
        }

        @Override
        public int type() {
            return Xfrm.XFRMA_TMPL;
        }
    }

    /**
     * XFRMA_REPLAY_VAL (struct xfrm_replay_state): the last sequence number sent ({@code oseq}),
     * the highest received ({@code seq}) and the window below it ({@code bitmap}, bit i = seq - i seen).
     */
    record Replay(int oseq, int seq, int bitmap) implements XfrmAttribute {
        @Override
        public int type() {
            return Xfrm.XFRMA_REPLAY_VAL;
        }
    }

    /** A u32 attribute in host order (XFRMA_REPLAY_THRESH, XFRMA_ETIMER_THRESH). */
    record U32(int type, int value) implements XfrmAttribute {
    }

    /** XFRMA_LTIME_VAL (struct xfrm_lifetime_cur): what the SA has carried, and when it was added and last used. */
    record CurrentLifetime(XfrmStruct.LifetimeCur value) implements XfrmAttribute {
        @Override
        public int type() {
            return Xfrm.XFRMA_LTIME_VAL;
        }
    }

    /** Any other attribute, kept byte for byte. */
    record Raw(int type, byte[] value) implements XfrmAttribute {
        public Raw {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && r.type == type && Arrays.equals(r.value, value);
        }

        @Override
        public int hashCode() {
            return type * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Raw[" + type + " " + HexFormat.of().formatHex(value) + "]";
        }
    }
}
