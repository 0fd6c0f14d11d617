package dev.isakmpd.daemon.config;

import dev.isakmpd.core.policy.XauthUsers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The XAUTH user file ({@code xauth-users}): one {@code name:bcrypt-hash} per line, as
 * {@code isakmpctl hash-password} prints it; blank lines and lines starting with '#' are skipped.
 * Errors name the file and the line, never a hash.
 */
final class XauthUsersReader {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private XauthUsersReader() {
    }

    static Optional<XauthUsers> read(Path file, Section.Value<String> key, Problems problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.error(key.at(), "cannot read xauth-users " + file + ": " + IoErrors.reason(e));
            return Optional.empty();
        }
        Map<String, String> users = new LinkedHashMap<>();
        boolean ok = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "xauth-users " + file + " line " + (i + 1) + ": ";
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon);
            if (colon <= 0 || name.length() > 128 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                problems.error(key.at(), where + "expected name:hash with a printable name of at most 128 characters");
                ok = false;
            } else if (!BCRYPT.matcher(line.substring(colon + 1)).matches()) {
                problems.error(key.at(), where + "user " + name + " has no bcrypt hash ($2y$NN$..., from "
                        + "isakmpctl hash-password)");
                ok = false;
            } else if (users.putIfAbsent(name, line.substring(colon + 1)) != null) {
                problems.error(key.at(), where + "user " + name + " appears twice");
                ok = false;
            }
        }
        if (ok && users.isEmpty()) {
            problems.error(key.at(), "xauth-users " + file + " names no user");
            ok = false;
        }
        return ok ? Optional.of(new XauthUsers(users)) : Optional.empty();
    }
}
