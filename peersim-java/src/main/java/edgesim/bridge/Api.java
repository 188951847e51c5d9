package edgesim.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The allow-list: the only calls the server answers, each a method of {@link Sessions} on the entry point
 * {@code t} with exact argument types. Anything else a py4j client can ask (reflection into the JVM, JVM views,
 * fields, constructors, arrays, calls on any other object, any other method) is refused with {@link #refusal},
 * so a token gives sessions, never the JVM.
 */
final class Api {
    /** An argument type: its py4j type letters and how errors name it. */
    enum Type {
        STRING("a string", "s"),
        INT("an int", "i"),
        LONG("a whole number", "iL"),
        BYTES("bytes", "j");

        final String description;
        final String letters;

        Type(String description, String letters) {
            this.description = description;
            this.letters = letters;
        }
    }

    /** Method name to argument types. */
    static final Map<String, List<Type>> METHODS = Collections.unmodifiableSortedMap(new TreeMap<>(Map.ofEntries(
            Map.entry("hello", List.of(Type.STRING)),
            Map.entry("contractVersion", List.of()),
            Map.entry("envIds", List.of()),
            Map.entry("template", List.of(Type.STRING)),
            Map.entry("create", List.of(Type.STRING, Type.INT, Type.INT, Type.STRING)),
            Map.entry("describe", List.of(Type.INT)),
            Map.entry("run", List.of(Type.INT, Type.BYTES)),
            Map.entry("attach", List.of(Type.INT, Type.STRING, Type.INT, Type.INT)),
            Map.entry("runShared", List.of(Type.INT, Type.INT)),
            Map.entry("close", List.of(Type.INT)),
            Map.entry("sessionCount", List.of()),
            Map.entry("fileOffer", List.of(Type.STRING, Type.LONG)),
            Map.entry("fileChunk", List.of(Type.STRING, Type.LONG, Type.BYTES)),
            Map.entry("fileEnd", List.of(Type.STRING)))));

    /** What py4j's other commands are, for the refusal. */
    private static final Map<String, String> COMMANDS = Map.ofEntries(
            Map.entry("r", "reflection (classes, packages and members of the JVM)"),
            Map.entry("j", "JVM views and imports"),
            Map.entry("f", "field access"),
            Map.entry("i", "constructors"),
            Map.entry("a", "arrays"),
            Map.entry("l", "lists"),
            Map.entry("m", "object references"),
            Map.entry("d", "listing members"),
            Map.entry("h", "help on objects"),
            Map.entry("p", "exceptions"),
            Map.entry("S", "streams"),
            Map.entry("s", "shutting the server down"),
            Map.entry("A", "authenticating twice"));

    private Api() {
    }

    /** The error text for anything outside the allow-list; {@code what} says what was asked. */
    static String refusal(String what) {
        return "this simulator server answers only the pygym session API (" + String.join(", ", METHODS.keySet())
                + " on the entry point '" + Wire.ENTRY_POINT + "'); " + what + " is refused";
    }

    /** The refusal of py4j command {@code name} (not a call). */
    static String commandRefusal(String name) {
        String what = COMMANDS.get(name);
        return refusal(what != null ? what + " (py4j command '" + name + "')" : "command '" + clip(name) + "'");
    }

    /** The refusal of a call, or null when {@code method} on {@code target} is in the allow-list. */
    static String callRefusal(String target, String method) {
        if (!target.equals(Wire.ENTRY_POINT)) {
            return refusal("a call on object '" + clip(target) + "' (the only object is the entry point)");
        }
        if (!METHODS.containsKey(method)) {
            return refusal("'" + clip(method) + "'");
        }
        return null;
    }

    /** Decodes the arguments of {@code method}; IllegalArgumentException saying which one is wrong and why. */
    static Object[] arguments(String method, List<byte[]> lines) {
        List<Type> types = METHODS.get(method);
        if (lines.size() != types.size()) {
            throw new IllegalArgumentException(method + " takes " + types.size() + " argument(s) " + signature(types)
                    + ", got " + lines.size());
        }
        Object[] values = new Object[types.size()];
        for (int i = 0; i < values.length; i++) {
            byte[] line = lines.get(i);
            Type type = types.get(i);
            char letter = line.length == 0 ? '?' : (char) line[0];
            if (type.letters.indexOf(letter) < 0) {
                throw new IllegalArgumentException("argument " + (i + 1) + " of " + method + ": expected "
                        + type.description + ", got " + typeName(letter) + " " + signature(types));
            }
            String rest = letter == 'j' ? null : new String(line, 1, line.length - 1, StandardCharsets.UTF_8);
            try {
                values[i] = switch (type) {
                    case STRING -> Wire.unescape(rest);
                    case INT -> Integer.parseInt(rest);
                    case LONG -> Long.parseLong(rest);
                    case BYTES -> Base64.getDecoder().decode(Arrays.copyOfRange(line, 1, line.length));
                };
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("argument " + (i + 1) + " of " + method + ": not "
                        + type.description + " (" + e.getMessage() + ")");
            }
        }
        return values;
    }

    private static String signature(List<Type> types) {
        return "(" + String.join(", ", types.stream().map(t -> t.description).toList()) + ")";
    }

    private static String typeName(char letter) {
        return switch (letter) {
            case 's' -> "a string";
            case 'i' -> "an int";
            case 'L' -> "a long";
            case 'd' -> "a double";
            case 'D' -> "a decimal";
            case 'b' -> "a boolean";
            case 'j' -> "bytes";
            case 'n' -> "null";
            case 'r' -> "an object reference";
            case 'f' -> "a Python object";
            default -> "type '" + letter + "'";
        };
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
