package dev.isakmpd.daemon.config;

import java.time.Duration;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * One TOML table under validation. The getters report a wrong type as an error and return empty,
 * so that loading goes on and finds every other problem too.
 */
final class Section {
    /** A value read from the file with the place it came from, for later cross-checks. */
    record Value<T>(T value, Location at) {
    }

    private final TomlTable table;
    private final Location at;
    private final Problems problems;

    Section(TomlTable table, Location at, Problems problems) {
        this.table = table;
        this.at = at;
        this.problems = problems;
    }

    Location at() {
        return at;
    }

    Location at(String key) {
        TomlPosition p = table.inputPositionOf(List.of(key));
        return at.child(key, p == null ? at.line() : p.line());
    }

    String name() {
        return at.path().get(at.path().size() - 1);
    }

    boolean has(String key) {
        return table.contains(List.of(key));
    }

    /** Reports each key not in {@code known}: a typo must not silently drop a setting. */
    void allowOnly(Set<String> known) {
        for (String key : table.keySet()) {
            if (!known.contains(key)) {
                problems.error(at(key), "unknown key" + Suggestions.didYouMean(key, known)
                        + " (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    Optional<Value<String>> string(String key) {
        return scalar(key, String.class, "a string");
    }

    Optional<Value<Long>> integer(String key) {
        return scalar(key, Long.class, "an integer");
    }

    /** The value whatever its type, for keys that take more than one ("forever" or a number). */
    Optional<Value<Object>> any(String key) {
        Object v = table.get(List.of(key));
        return v == null ? Optional.empty() : Optional.of(new Value<>(v, at(key)));
    }

    Optional<Value<Boolean>> bool(String key) {
        return scalar(key, Boolean.class, "true or false");
    }

    private <T> Optional<Value<T>> scalar(String key, Class<T> type, String expected) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return Optional.empty();
        }
        if (!type.isInstance(v)) {
            problems.error(at(key), "expected " + expected + ", got " + typeName(v));
            return Optional.empty();
        }
        return Optional.of(new Value<>(type.cast(v), at(key)));
    }

    Optional<Value<String>> requiredString(String key) {
        if (!has(key)) {
            problems.error(at.child(key, at.line()), "required key is missing");
        }
        return string(key);
    }

    /** A non-empty array of strings; empty when absent (an error if {@code required}) or wrong. */
    List<Value<String>> strings(String key, boolean required) {
        Object v = table.get(List.of(key));
        if (v == null) {
            if (required) {
                problems.error(at.child(key, at.line()), "required key is missing");
            }
            return List.of();
        }
        Location k = at(key);
        if (!(v instanceof TomlArray array)) {
            problems.error(k, "expected an array of strings, got " + typeName(v));
            return List.of();
        }
        if (array.isEmpty()) {
            problems.error(k, "must not be empty");
        }
        List<Value<String>> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Location e = k.element(i, array.inputPositionOf(i).line());
            if (array.get(i) instanceof String s) {
                out.add(new Value<>(s, e));
            } else {
                problems.error(e, "expected a string, got " + typeName(array.get(i)));
            }
        }
        return out;
    }

    /** A lifetime: a string such as "8h" or a number of seconds. */
    Optional<Value<Duration>> duration(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return Optional.empty();
        }
        try {
            if (v instanceof String s) {
                return Optional.of(new Value<>(Durations.parse(s), at(key)));
            }
            if (v instanceof Long n) {
                return Optional.of(new Value<>(Durations.ofSeconds(n), at(key)));
            }
            problems.error(at(key), "expected a duration (\"8h\") or seconds, got " + typeName(v));
        } catch (IllegalArgumentException e) {
            problems.error(at(key), e.getMessage());
        }
        return Optional.empty();
    }

    /** A table whose every entry is itself a table (peers, tunnels), keyed by entry name in file order. */
    Map<String, Section> tables(String key) {
        Map<String, Section> out = new LinkedHashMap<>();
        Optional<Section> parent = table(key);
        if (parent.isEmpty()) {
            return out;
        }
        Section p = parent.get();
        for (String name : p.table.keySet()) {
            Object v = p.table.get(List.of(name));
            if (v instanceof TomlTable t) {
                out.put(name, new Section(t, p.at(name), problems));
            } else {
                problems.error(p.at(name), "expected a table ([" + p.at(name).key() + "]), got " + typeName(v));
            }
        }
        return out;
    }

    Optional<Section> table(String key) {
        Object v = table.get(List.of(key));
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof TomlTable t)) {
            problems.error(at(key), "expected a table, got " + typeName(v));
            return Optional.empty();
        }
        return Optional.of(new Section(t, at(key), problems));
    }

    /** Says what kind of value was found; never the value, which might be a secret. */
    private static String typeName(Object v) {
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Long) {
            return "an integer";
        }
        if (v instanceof Double) {
            return "a float";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof TomlArray) {
            return "an array";
        }
        if (v instanceof TomlTable) {
            return "a table";
        }
        if (v instanceof Temporal) {
            return "a date/time";
        }
        return v.getClass().getSimpleName();
    }
}
