package edgesim.config;

import edgesim.io.Excerpt;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A component's view of the configuration under its prefix ({@code protocol.cpu.}). Every read is
 * validated and recorded, so a simulation can reject keys that no component read. Errors name the full
 * key, its value, where a referenced parameter came from, and what was expected.
 *
 * <p>A key's number is evaluated once per reader tree and remembered, so keys that refer to each other many
 * times cost one evaluation each; expressions are bounded in length ({@link #MAX_EXPRESSION_CHARS}) and
 * nesting ({@link Expression#MAX_NESTING}), and chains of keys referring to keys in depth
 * ({@link #MAX_REFERENCE_DEPTH}), so no value can exhaust the CPU or the stack.
 */
public final class ConfigReader {
    /** Longest value read as a number or an expression, characters. */
    public static final int MAX_EXPRESSION_CHARS = 4096;
    /** Longest chain of keys whose values name further keys. */
    public static final int MAX_REFERENCE_DEPTH = 64;

    private final Config config;
    private final String prefix;
    /** Keys read so far; null for a reader that does not record them. */
    private final Set<String> used;
    /** Numbers of the keys evaluated so far, shared by the readers of one tree. */
    private final Map<String, Double> numbers;

    ConfigReader(Config config, String prefix, Set<String> used, Map<String, Double> numbers) {
        this.config = config;
        this.prefix = prefix;
        this.used = used;
        this.numbers = numbers;
    }

    /** A reader for {@code prefix + name + "."}, sharing this reader's record of used keys. */
    public ConfigReader child(String name) {
        return new ConfigReader(config, prefix + name + ".", used, numbers);
    }

    /** The full key of {@code key} under this prefix. */
    public String fullKey(String key) {
        // At the root the key itself: a constant's hash is cached, a concatenation's computed at every read.
        return prefix.isEmpty() ? key : prefix + key;
    }

    /** Whether {@code key} is set. */
    public boolean has(String key) {
        return config.entry(fullKey(key)) != null;
    }

    /** The string value of a required key; a value naming another key resolves to that key's value. */
    public String getString(String key) {
        return resolveString(fullKey(key), null);
    }

    /** The string value, or {@code fallback} when absent. */
    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    /**
     * The file a required key names, through the configuration's {@link FileAccess}: ConfigException naming
     * the key and the value when the policy does not let this configuration open it.
     */
    public java.nio.file.Path getFile(String key) {
        String value = getString(key);
        try {
            return config.fileAccess().resolve(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(prefix + key) + ": " + e.getMessage());
        }
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
        String full = fullKey(key);
        double value = resolveNumber(full, null);
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
        String full = fullKey(key);
        double value = resolveNumber(full, null);
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
        String full = fullKey(key);
        double value = resolveNumber(full, null);
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
        if (used == null) {
            throw new IllegalStateException("this reader does not record the keys it reads (Config.trustedReader)");
        }
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
        if (used != null) {
            used.add(full);
        }
        String value = entry.value();
        if (config.entry(value) != null && !value.equals(full)) {
            Deque<String> path = enter(full, chain);
            String resolved = resolveString(value, path);
            path.pop();
            return resolved;
        }
        return value;
    }

    private double resolveNumber(String full, Deque<String> chain) {
        // Numbers are remembered only for keys that exist, so a remembered one needs no other lookup: the path
        // of every read when a scenario rebuilds its simulation at a reset.
        Double known = numbers.get(full);
        if (known != null) {
            if (used != null) {
                used.add(full);
            }
            return known;
        }
        Config.Entry entry = config.entry(full);
        if (entry == null) {
            throw new ConfigException(missingMessage(full, chain));
        }
        if (used != null) {
            used.add(full);
        }
        String value = entry.value();
        if (value.length() > MAX_EXPRESSION_CHARS) {
            throw new ConfigException(describe(full) + ": expected a number or an expression over keys of at most "
                    + MAX_EXPRESSION_CHARS + " characters, got " + value.length() + " characters");
        }
        Deque<String> path = enter(full, chain);
        try {
            double result = Expression.evaluate(value, name -> {
                if (config.entry(name) == null) {
                    throw new IllegalArgumentException("'" + Excerpt.of(name) + "' is neither a number nor a key");
                }
                return resolveNumber(name, path);
            });
            numbers.put(full, result);
            return result;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(full) + ": expected a number or an expression over keys ("
                    + e.getMessage() + ")");
        } finally {
            path.pop();
        }
    }

    /** Pushes {@code full} on the chain of references being followed (started here when null); returns it. */
    private Deque<String> enter(String full, Deque<String> chain) {
        if (chain == null) {
            chain = new ArrayDeque<>();
        }
        if (chain.contains(full)) {
            throw new ConfigException("key '" + Excerpt.of(full) + "' refers to itself through " + chainText(chain));
        }
        if (chain.size() >= MAX_REFERENCE_DEPTH) {
            throw new ConfigException("key '" + Excerpt.of(chain.peekLast()) + "' refers to keys that refer to keys "
                    + "more than " + MAX_REFERENCE_DEPTH + " deep: " + chainText(chain) + " -> " + Excerpt.of(full));
        }
        chain.push(full);
        return chain;
    }

    /** The chain from the key first read to the latest, its middle cut when it is long. */
    private static String chainText(Deque<String> chain) {
        List<String> keys = new ArrayList<>();
        Iterator<String> outermostFirst = chain.descendingIterator();
        int i = 0;
        while (outermostFirst.hasNext()) {
            String key = outermostFirst.next();
            if (i < 3 || i >= chain.size() - 3) {
                keys.add(Excerpt.of(key));
            } else if (i == 3) {
                keys.add("... (" + (chain.size() - 6) + " more)");
            }
            i++;
        }
        return String.join(" -> ", keys);
    }

    private String missingMessage(String full, Deque<String> chain) {
        if (chain == null || chain.isEmpty()) {
            return "missing key '" + Excerpt.of(full) + "' in " + config.name();
        }
        return "key '" + Excerpt.of(chain.peek()) + "' refers to '" + Excerpt.of(full) + "', which is not set in "
                + config.name();
    }

    private ConfigException invalid(String full, String expected) {
        return new ConfigException(describe(full) + ": expected " + expected);
    }

    /** "key = value" plus the chain of referenced keys, so an error points at what the user set. */
    private String describe(String full) {
        Config.Entry entry = config.entry(full);
        StringBuilder sb = new StringBuilder(Excerpt.of(full)).append(" = ").append(Excerpt.of(entry.value()));
        String ref = entry.value();
        int hops = 0;
        while (config.entry(ref) != null && hops++ < 8) {
            Config.Entry next = config.entry(ref);
            sb.append(" (from '").append(Excerpt.of(ref)).append("' = ").append(Excerpt.of(next.value())).append(", ")
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
