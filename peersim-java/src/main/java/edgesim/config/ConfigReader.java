package edgesim.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * A component's view of the configuration under its prefix ({@code protocol.cpu.}). Every read is
 * validated and recorded, so a simulation can reject keys that no component read. Errors name the full
 * key, its value, where a referenced parameter came from, and what was expected.
 */
public final class ConfigReader {
    private final Config config;
    private final String prefix;
    private final Set<String> used;

    ConfigReader(Config config, String prefix, Set<String> used) {
        this.config = config;
        this.prefix = prefix;
        this.used = used;
    }

    /** A reader for {@code prefix + name + "."}, sharing this reader's record of used keys. */
    public ConfigReader child(String name) {
        return new ConfigReader(config, prefix + name + ".", used);
    }

    /** The full key of {@code key} under this prefix. */
    public String fullKey(String key) {
        return prefix + key;
    }

    /** Whether {@code key} is set. */
    public boolean has(String key) {
        return config.entry(prefix + key) != null;
    }

    /** The string value of a required key; a value naming another key resolves to that key's value. */
    public String getString(String key) {
        return resolveString(prefix + key, new ArrayDeque<>());
    }

    /** The string value, or {@code fallback} when absent. */
    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /** One of {@code choices}. */
    public String getChoice(String key, String... choices) {
        String value = getString(key);
        for (String c : choices) {
            if (c.equals(value)) {
                return value;
            }
        }
        throw invalid(prefix + key, "one of " + String.join(", ", choices));
    }

    /** A required finite number in [min, max]. */
    public double getDouble(String key, double min, double max) {
        String full = prefix + key;
        double value = resolveNumber(full, new ArrayDeque<>());
        if (!Double.isFinite(value) || value < min || value > max) {
            throw invalid(full, "a finite number in [" + fmt(min) + ", " + fmt(max) + "]");
        }
        return value;
    }

    /** A finite number in [min, max], or {@code fallback} when absent. */
    public double getDouble(String key, double min, double max, double fallback) {
        return has(key) ? getDouble(key, min, max) : fallback;
    }

    /** A required number &gt; 0. */
    public double getPositive(String key) {
        String full = prefix + key;
        double value = resolveNumber(full, new ArrayDeque<>());
        if (!Double.isFinite(value) || value <= 0) {
            throw invalid(full, "a finite number > 0");
        }
        return value;
    }

    /** A required integer in [min, max]. */
    public int getInt(String key, int min, int max) {
        return (int) getLong(key, min, max);
    }

    /** An integer in [min, max], or {@code fallback} when absent. */
    public int getInt(String key, int min, int max, int fallback) {
        return has(key) ? getInt(key, min, max) : fallback;
    }

    /** A required integer in [min, max]. */
    public long getLong(String key, long min, long max) {
        String full = prefix + key;
        double value = resolveNumber(full, new ArrayDeque<>());
        if (!Double.isFinite(value) || value != Math.rint(value) || value < min || value > max) {
            throw invalid(full, "an integer in [" + min + ", " + max + "]");
        }
        return (long) value;
    }

    /** A required boolean ({@code true} or {@code false}). */
    public boolean getBoolean(String key) {
        String value = getString(key);
        if (value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw invalid(prefix + key, "true or false");
    }

    /** Checks a relation between already-read values, failing with the key and the rule it breaks. */
    public void require(boolean condition, String key, String rule) {
        if (!condition) {
            throw invalid(prefix + key, rule);
        }
    }

    /** Keys present in the configuration that no reader has read so far. */
    public List<String> unusedKeys() {
        List<String> unused = new ArrayList<>();
        for (String key : config.keys()) {
            if (!used.contains(key)) {
                unused.add(key);
            }
        }
        return unused;
    }

    /** The configuration this reader views. */
    public Config config() {
        return config;
    }

    private String resolveString(String full, Deque<String> chain) {
        Config.Entry entry = config.entry(full);
        if (entry == null) {
            throw new ConfigException(missingMessage(full, chain));
        }
        used.add(full);
        String value = entry.value();
        if (config.entry(value) != null && !value.equals(full)) {
            enter(full, chain);
            String resolved = resolveString(value, chain);
            chain.pop();
            return resolved;
        }
        return value;
    }

    private double resolveNumber(String full, Deque<String> chain) {
        Config.Entry entry = config.entry(full);
        if (entry == null) {
            throw new ConfigException(missingMessage(full, chain));
        }
        used.add(full);
        String value = entry.value();
        enter(full, chain);
        try {
            return Expression.evaluate(value, name -> {
                if (config.entry(name) == null) {
                    throw new IllegalArgumentException("'" + name + "' is neither a number nor a key");
                }
                return resolveNumber(name, chain);
            });
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(full) + ": expected a number or an expression over keys ("
                    + e.getMessage() + ")");
        } finally {
            chain.pop();
        }
    }

    private void enter(String full, Deque<String> chain) {
        if (chain.contains(full)) {
            throw new ConfigException("key '" + full + "' refers to itself through " + String.join(" -> ", chain));
        }
        chain.push(full);
    }

    private String missingMessage(String full, Deque<String> chain) {
        if (chain.isEmpty()) {
            return "missing key '" + full + "' in " + config.name();
        }
        return "key '" + chain.peek() + "' refers to '" + full + "', which is not set in " + config.name();
    }

    private ConfigException invalid(String full, String expected) {
        return new ConfigException(describe(full) + ": expected " + expected);
    }

    /** "key = value" plus the chain of referenced keys, so an error points at what the user set. */
    private String describe(String full) {
        Config.Entry entry = config.entry(full);
        StringBuilder sb = new StringBuilder(full).append(" = ").append(entry.value());
        String ref = entry.value();
        int hops = 0;
        while (config.entry(ref) != null && hops++ < 8) {
            Config.Entry next = config.entry(ref);
            sb.append(" (from '").append(ref).append("' = ").append(next.value()).append(", ")
                    .append(next.origin()).append(')');
            ref = next.value();
        }
        if (hops == 0) {
            sb.append(" (").append(entry.origin()).append(')');
        }
        return sb.toString();
    }

    private static String fmt(double v) {
        if (v == Double.MAX_VALUE || v == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        if (v == -Double.MAX_VALUE || v == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
