package dev.isakmpd.daemon.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as admins write them: "500ms", "90s", "30m", "8h", "1d", or a number of seconds. */
public final class Durations {
    private static final Pattern TEXT = Pattern.compile("(\\d{1,9})(ms|[smhd]?)");

    private Durations() {
    }

    public static Duration parse(String text) {
        Matcher m = TEXT.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad duration '" + text + "' (use e.g. 500ms, 90s, 30m, 8h, 1d or seconds)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
        return positive(d, text);
    }

    public static Duration ofSeconds(long seconds) {
        return positive(Duration.ofSeconds(seconds), Long.toString(seconds));
    }

    /** The largest unit that divides the duration exactly: 28800 s is "8h", 5400 s is "90m". */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private static Duration positive(Duration d, String text) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException("duration '" + text + "' must be positive");
        }
        return d;
    }
}
