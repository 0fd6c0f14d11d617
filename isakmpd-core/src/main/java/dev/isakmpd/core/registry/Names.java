package dev.isakmpd.core.registry;

import java.util.HashMap;
import java.util.Map;

/**
 * Value-to-name table used by the registries. Filled only during class initialisation and read-only after,
 * so publication through the static initialiser makes it safe to share between threads.
 */
final class Names {
    private final Map<Integer, String> names = new HashMap<>();

    Names put(int value, String name) {
        if (names.putIfAbsent(value, name) != null) {
            throw new IllegalStateException("duplicate registry value " + value + " (" + name + ")");
        }
        return this;
    }

    /** The name, or {@code null} when the value is not registered. */
    String get(int value) {
        return names.get(value);
    }

    /** The name, or {@code UNKNOWN(value)} for logs. */
    String describe(int value) {
        String n = names.get(value);
        return n != null ? n : "UNKNOWN(" + value + ")";
    }
}
