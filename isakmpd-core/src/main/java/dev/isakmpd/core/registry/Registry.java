package dev.isakmpd.core.registry;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Backing store of an "open enum": known values map to shared constants with a name, unknown values still get an
 * instance (so a peer's unknown code can be carried, logged and echoed back instead of being lost).
 */
final class Registry<T> {
    private final IntFunction<T> factory;
    private final Map<Integer, T> constants = new HashMap<>();
    /** Known constants 0..255 by value: the decoder's hot path looks up payload, protocol and ID types here. */
    private final Object[] small = new Object[256];
    private final Names names = new Names();

    Registry(IntFunction<T> factory) {
        this.factory = factory;
    }

    T define(int value, String name) {
        T constant = factory.apply(value);
        names.put(value, name);
        constants.put(value, constant);
        if (value >= 0 && value < small.length) {
            small[value] = constant;
        }
        return constant;
    }

    @SuppressWarnings("unchecked")
    T of(int value) {
        if (value >= 0 && value < small.length) {
            Object k = small[value];
            return k != null ? (T) k : factory.apply(value);
        }
        T known = constants.get(value);
        return known != null ? known : factory.apply(value);
    }

    boolean isKnown(int value) {
        return names.get(value) != null;
    }

    String describe(int value) {
        return names.describe(value);
    }
}
