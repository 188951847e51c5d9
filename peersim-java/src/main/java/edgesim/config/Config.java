package edgesim.config;

import edgesim.io.Excerpt;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable, ordered set of configuration keys in PeerSim's format: one {@code key value} per line,
 * {@code #} starts a comment. Components are declared by {@code protocol.NAME Type}, {@code init.NAME Type}
 * and {@code control.NAME Type} and read their own keys under that prefix through a {@link ConfigReader}.
 * A value may be an arithmetic expression over other keys ({@code episode_s / epoch_s}), so a scenario
 * template exposes short parameter names that its component keys refer to.
 */
public final class Config {
    /** Top-level sections whose two-segment keys declare components. */
    static final List<String> COMPONENT_SECTIONS = List.of("protocol", "init", "control");

    record Entry(String value, String origin) {
    }

    private final Map<String, Entry> entries;
    private final String name;
    private final FileAccess files;
    /** Each component section's names, found once: every reset of a scenario builds its simulation anew. */
    private final Map<String, List<String>> components;
    /** The same components' keys ({@code section.name}), whose hashes stay cached across the resets. */
    private final Map<String, List<String>> componentKeys;

    private Config(Map<String, Entry> entries, String name, FileAccess files) {
        this.entries = Collections.unmodifiableMap(entries);
        this.name = name;
        this.files = files;
        Map<String, List<String>> found = new HashMap<>();
        Map<String, List<String>> foundKeys = new HashMap<>();
        for (String section : COMPONENT_SECTIONS) {
            List<String> names = List.copyOf(scanComponentNames(section));
            found.put(section, names);
            foundKeys.put(section, names.stream().map(n -> section + "." + n).toList());
        }
        this.components = Map.copyOf(found);
        this.componentKeys = Map.copyOf(foundKeys);
    }

    /** Parses configuration text; {@code name} appears in error messages (a file or scenario name). */
    public static Config parse(String text, String name) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            if (hash >= 0) {
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            int space = indexOfWhitespace(line);
            String origin = name + " line " + (i + 1);
            if (space < 0) {
                if (!isKey(line)) {
                    throw new ConfigException(origin + ": '" + Excerpt.of(line)
                            + "' has no key (a line is a key, white space, then its value)");
                }
                throw new ConfigException(origin + ": key '" + Excerpt.of(line) + "' has no value");
            }
            String key = line.substring(0, space);
            String value = line.substring(space).strip();
            checkKeySyntax(key, origin);
            if (entries.containsKey(key)) {
                throw new ConfigException(origin + ": key '" + Excerpt.of(key) + "' is already set at "
                        + entries.get(key).origin());
            }
            entries.put(key, new Entry(value, origin));
        }
        return new Config(entries, name, FileAccess.LOCAL);
    }

    /**
     * Returns a copy with {@code overrides} applied. A key must already exist, or declare a new component
     * ({@code control.fault FaultInjector}) or belong to one declared in the same overrides.
     */
    public Config withOverrides(Map<String, String> overrides) {
        Map<String, Entry> merged = new LinkedHashMap<>(entries);
        List<String> newComponents = new ArrayList<>();
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            String key = o.getKey();
            if (!entries.containsKey(key) && isComponentDeclaration(key)) {
                newComponents.add(key + ".");
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            String key = o.getKey();
            String value = o.getValue() == null ? "" : o.getValue().strip();
            checkKeySyntax(key, "override");
            boolean known = entries.containsKey(key) || newComponents.contains(key + ".")
                    || newComponents.stream().anyMatch(key::startsWith);
            if (!known) {
                throw new ConfigException(unknownKeyMessage(key, value));
            }
            if (value.isEmpty()) {
                throw new ConfigException("override '" + Excerpt.of(key) + "' has an empty value");
            }
            merged.put(key, new Entry(value, "override"));
        }
        return new Config(merged, name, files);
    }

    /** A copy whose file-valued keys open files through {@code access} (see {@link ConfigReader#getFile}). */
    public Config withFileAccess(FileAccess access) {
        return new Config(new LinkedHashMap<>(entries), name, access);
    }

    /** The policy that turns file-valued keys into paths. */
    public FileAccess fileAccess() {
        return files;
    }

    /** A reader over the whole configuration with a fresh record of which keys were read. */
    public ConfigReader reader() {
        return reader(new java.util.HashMap<>());
    }

    /**
     * A reader with a fresh record of which keys were read that remembers numbers in {@code numbers}: a
     * scenario keeps one map for all the simulations it builds from this configuration (one per reset), so
     * each expression is evaluated once in its life. The map must not be shared between threads.
     */
    public ConfigReader reader(java.util.Map<String, Double> numbers) {
        return new ConfigReader(this, "", new java.util.HashSet<>(), numbers);
    }

    /**
     * As {@link #reader(java.util.Map)}, but recording no keys (so no {@link ConfigReader#unusedKeys}): for
     * building again from a configuration a recording reader has already checked.
     */
    public ConfigReader trustedReader(java.util.Map<String, Double> numbers) {
        return new ConfigReader(this, "", null, numbers);
    }

    /** The name given at parse time, used in messages. */
    public String name() {
        return name;
    }

    /** All keys in declaration order. */
    public List<String> keys() {
        return new ArrayList<>(entries.keySet());
    }

    /** The raw (unresolved) value of {@code key}, or null when absent. */
    public String raw(String key) {
        Entry e = entries.get(key);
        return e == null ? null : e.value();
    }

    Entry entry(String key) {
        return entries.get(key);
    }

    /** Components declared in {@code section} ("protocol", "init", "control"), in declaration order. */
    public List<String> componentNames(String section) {
        List<String> known = components.get(section);
        return known != null ? known : scanComponentNames(section);
    }

    /** The keys ({@code section.name}) of the components of {@link #componentNames}, in the same order. */
    public List<String> componentKeys(String section) {
        List<String> known = componentKeys.get(section);
        return known != null ? known : componentNames(section).stream().map(n -> section + "." + n).toList();
    }

    private List<String> scanComponentNames(String section) {
        List<String> names = new ArrayList<>();
        String prefix = section + ".";
        for (String key : entries.keySet()) {
            if (key.startsWith(prefix) && key.indexOf('.', prefix.length()) < 0) {
                names.add(key.substring(prefix.length()));
            }
        }
        return names;
    }

    /** The configuration as {@code key value} lines (what the simulator actually runs with). */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            sb.append(e.getKey()).append(' ').append(e.getValue().value()).append('\n');
        }
        return sb.toString();
    }

    private static boolean isComponentDeclaration(String key) {
        int dot = key.indexOf('.');
        return dot > 0 && key.indexOf('.', dot + 1) < 0 && COMPONENT_SECTIONS.contains(key.substring(0, dot));
    }

    /** The message for an unknown {@code key} given {@code value} (null when there is none). */
    String unknownKeyMessage(String key, String value) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        // A suggestion is at most a third of the key away, so only keys of similar length can be one.
        for (String candidate : entries.keySet()) {
            if (Math.abs(candidate.length() - key.length()) > Math.max(2, key.length() / 3)) {
                continue;
            }
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        StringBuilder sb = new StringBuilder("unknown key '").append(Excerpt.of(key)).append("' for ").append(name);
        int space = value == null ? -1 : indexOfWhitespace(value);
        if (space > 0) {
            // Overrides travel as "key value" lines, so a key with a space arrives split.
            sb.append(" (a key cannot contain white space: a key '").append(Excerpt.of(key + " " + value.substring(0, space)))
                    .append("' reads as key '").append(Excerpt.of(key)).append("' with the value '")
                    .append(Excerpt.of(value)).append("')");
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) {
            sb.append("; did you mean '").append(best).append("'?");
        }
        List<String> parameters = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (k.indexOf('.') < 0) {
                parameters.add(k);
            }
        }
        sb.append(" Parameters: ").append(String.join(", ", parameters))
                .append(" (and the component keys listed by describe)");
        return sb.toString();
    }

    private static void checkKeySyntax(String key, String origin) {
        if (key.isEmpty()) {
            throw new ConfigException(origin + ": empty key");
        }
        if (key.startsWith(".") || key.endsWith(".") || key.contains("..")) {
            throw new ConfigException(origin + ": malformed key '" + Excerpt.of(key) + "'");
        }
        for (int i = 0; i < key.length(); i++) {
            if (!Expression.isNameChar(key.charAt(i))) {
                throw new ConfigException(origin + ": malformed key '" + Excerpt.of(key)
                        + "' (letters, digits, '_' and '.' only)");
            }
        }
        if (Character.isDigit(key.charAt(0))) {
            throw new ConfigException(origin + ": malformed key '" + Excerpt.of(key) + "' (must not start with a digit)");
        }
    }

    /** Whether {@code text} could be a key (letters, digits, '_' and '.', not starting with a digit). */
    private static boolean isKey(String text) {
        if (text.isEmpty() || Character.isDigit(text.charAt(0))) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (!Expression.isNameChar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
