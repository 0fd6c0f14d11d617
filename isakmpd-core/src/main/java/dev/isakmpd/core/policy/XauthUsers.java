package dev.isakmpd.core.policy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The local XAUTH user table: user name to an OpenBSD-style bcrypt string ({@code $2y$cost$salt+hash}),
 * salted and slow on purpose, so that a stolen file does not give the passwords away. The hashes are
 * no secret in the sense of keys, but {@link #toString()} shows only the count.
 */
public record XauthUsers(Map<String, String> bcrypt) {
    /** Compared against for unknown users, so that a wrong name costs the same time as a wrong password. */
    private static final String DUMMY = OpenBSDBCrypt.generate("2y", new char[] {'x'}, new byte[16], 4);

    public XauthUsers {
        bcrypt = Map.copyOf(new TreeMap<>(bcrypt));
        for (Map.Entry<String, String> e : bcrypt.entrySet()) {
            if (!e.getValue().matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}")) {
                throw new IllegalArgumentException("user " + e.getKey() + ": not a bcrypt hash ($2y$NN$...)");
            }
        }
    }

    /** Whether {@code password} (UTF-8, as XAUTH-USER-PASSWORD carries it) is {@code user}'s. */
    public boolean check(String user, byte[] password) {
        String hash = bcrypt.get(user);
        char[] chars = utf8(password);
        if (chars == null || chars.length == 0) {
            return false; // not UTF-8, or empty: no user has such a password
        }
        try {
            boolean ok = OpenBSDBCrypt.checkPassword(hash == null ? DUMMY : hash, chars);
            return hash != null && ok;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** A bcrypt string for a new password, with a random salt; what the user file stores. */
    public static String hash(char[] password, byte[] salt16, int cost) {
        return OpenBSDBCrypt.generate("2y", password, salt16, cost);
    }

    private static char[] utf8(byte[] b) {
        try {
            var cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            char[] out = Arrays.copyOfRange(cb.array(), cb.position(), cb.limit());
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "XauthUsers[" + bcrypt.size() + " users]";
    }
}
