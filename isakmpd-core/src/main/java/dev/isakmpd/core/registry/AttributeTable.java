package dev.isakmpd.core.registry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;

/** Table-driven {@link AttributeSpace}: class names plus per-class value names. */
final class AttributeTable implements AttributeSpace {
    private final Names classes = new Names();
    private final Map<Integer, Names> values = new HashMap<>();
    private final Set<Integer> secrets = new HashSet<>();

    AttributeTable secret(int type) {
        secrets.add(type);
        return this;
    }

    @Override
    public boolean isSecret(int type) {
        return secrets.contains(type);
    }

    AttributeTable attributeClass(int type, String name) {
        classes.put(type, name);
        return this;
    }

    AttributeTable values(int type, Names names) {
        values.put(type, names);
        return this;
    }

    @Override
    public String className(int type) {
        return classes.describe(type);
    }

    @Override
    public String valueName(int type, long value) {
        Names names = values.get(type);
        if (names == null || value < 0 || value > Integer.MAX_VALUE) {
            return null;
        }
        return names.get((int) value);
    }
}
