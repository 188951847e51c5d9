package edgesim.scenario;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;

/**
 * The named columns of one kind of row: an agent's observation or metrics, the global state. A scenario
 * declares its columns once, in order; the spec's field list is made from them, and the code that writes a row
 * addresses its values only through the handles declared here ({@link Column}, {@link Repeated}), or, for the
 * columns a protocol fills, through {@link #indexes}, which finds them by name. So a field and the value
 * written under its name cannot drift apart, whatever the order of the columns. Units follow the field's name
 * ({@link Units}) unless the declaration states one.
 */
public final class Layout {
    private static final double INF = Double.POSITIVE_INFINITY;

    private final List<Field> fields = new ArrayList<>();
    private final Map<String, Integer> byName = new HashMap<>();
    private Group open;

    /** One column: in a row starting at {@code base}, its value is at {@code at(base)}. */
    public static final class Column {
        private final int index;

        private Column(int index) {
            this.index = index;
        }

        public int at(int base) {
            return base + index;
        }
    }

    /** A field of a {@link Group}: in a row starting at {@code base}, instance k's value is at {@code at(base, k)}. */
    public static final class Repeated {
        private final Group group;
        private final int offset;

        private Repeated(Group group, int offset) {
            this.group = group;
            this.offset = offset;
        }

        public int at(int base, int k) {
            return base + group.start + k * group.stride + offset;
        }
    }

    /**
     * Fields repeated per instance k = 0 .. count - 1 (per neighbour slot, per server, per node), named
     * {@code prefix(k)} followed by the field's name, all of instance 0, then all of instance 1, and so on. Its
     * fields are declared before anything else is added to the layout.
     */
    public final class Group {
        private final int start;
        private final int count;
        private final IntFunction<String> prefix;
        private final List<Field> fields = new ArrayList<>();
        private final List<IntToDoubleFunction> highs = new ArrayList<>();
        private int stride;
        private boolean closed;

        private Group(int count, IntFunction<String> prefix) {
            this.start = Layout.this.fields.size();
            this.count = count;
            this.prefix = prefix;
        }

        /** A repeated field with the unit its name says, in [low, high(k)] for instance k. */
        public Repeated add(String name, double low, IntToDoubleFunction high) {
            return add(name, Units.of(name), low, high);
        }

        /** A repeated field with the unit its name says, in [low, high]. */
        public Repeated add(String name, double low, double high) {
            return add(name, Units.of(name), low, k -> high);
        }

        /** A repeated field with its own unit, in [low, high(k)] for instance k. */
        public Repeated add(String name, String unit, double low, IntToDoubleFunction high) {
            if (closed) {
                throw new IllegalStateException("group field " + name + " declared after the group's layout moved on");
            }
            fields.add(new Field(name, unit, low, INF));
            highs.add(high);
            return new Repeated(this, fields.size() - 1);
        }

        /** A repeated 0/1 flag. */
        public Repeated flag(String name) {
            return add(name, "flag", 0, k -> 1);
        }

        private void close() {
            closed = true;
            stride = fields.size();
            for (int k = 0; k < count; k++) {
                for (int f = 0; f < fields.size(); f++) {
                    Field field = fields.get(f);
                    put(new Field(prefix.apply(k) + field.name(), field.unit(), field.low(),
                            highs.get(f).applyAsDouble(k)));
                }
            }
        }
    }

    /** A field with the unit its name says, in [low, high]. */
    public Column add(String name, double low, double high) {
        return add(name, Units.of(name), low, high);
    }

    /** A field with its own unit, in [low, high]. */
    public Column add(String name, String unit, double low, double high) {
        closeGroup();
        return new Column(put(new Field(name, unit, low, high)));
    }

    /** A 0/1 flag. */
    public Column flag(String name) {
        return add(name, "flag", 0, 1);
    }

    /** Fields named by {@code names} (see {@link #nameOf}), with the units their names say, in [0, inf). */
    public void addAll(Enum<?>[] names) {
        for (Enum<?> name : names) {
            add(nameOf(name), 0, INF);
        }
    }

    /** Starts a group of fields repeated {@code count} times. */
    public Group group(int count, IntFunction<String> prefix) {
        closeGroup();
        open = new Group(count, prefix);
        return open;
    }

    /**
     * The column of each constant of {@code names} (see {@link #nameOf}), by constant order: for a protocol
     * that fills the columns of its counters. Every name must be a field of this layout.
     */
    public int[] indexes(Enum<?>[] names) {
        closeGroup();
        int[] out = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            Integer index = byName.get(nameOf(names[i]));
            if (index == null) {
                throw new IllegalStateException("no field " + nameOf(names[i]) + " in the layout");
            }
            out[i] = index;
        }
        return out;
    }

    /** The fields, in column order. */
    public List<Field> fields() {
        closeGroup();
        return List.copyOf(fields);
    }

    /** Number of columns. */
    public int size() {
        closeGroup();
        return fields.size();
    }

    /** The field an enum constant names: the constant's name in lower case ({@code LATENCY_SUM_S} is latency_sum_s). */
    public static String nameOf(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /** The field names of {@code constants}, in order (a task record's fields). */
    public static List<String> names(Enum<?>[] constants) {
        List<String> out = new ArrayList<>();
        for (Enum<?> c : constants) {
            out.add(nameOf(c));
        }
        return List.copyOf(out);
    }

    private int put(Field field) {
        if (byName.putIfAbsent(field.name(), fields.size()) != null) {
            throw new IllegalStateException("field " + field.name() + " declared twice");
        }
        fields.add(field);
        return fields.size() - 1;
    }

    private void closeGroup() {
        if (open != null) {
            Group g = open;
            open = null;
            g.close();
        }
    }
}
