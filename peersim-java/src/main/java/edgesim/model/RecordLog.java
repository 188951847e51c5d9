package edgesim.model;

import java.util.Arrays;

/**
 * Records of the tasks finished since the last {@link #clear()}: rows of {@code fields} doubles, one after
 * another, in a buffer that grows as needed and is reused. A record's fields are the constants of an enum,
 * in order: {@link #append()} starts a record, {@link #set} fills its fields by name.
 */
public final class RecordLog {
    private final int fields;
    private double[] records;
    private int count;
    private int current;

    public RecordLog(int fields) {
        this.fields = fields;
        this.records = new double[fields * 8]; // one per simulation: small, it grows when needed
    }

    /** Starts a new record. */
    public void append() {
        int need = (count + 1) * fields;
        if (need > records.length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, need));
        }
        current = count++ * fields;
    }

    /** Sets {@code field} (a constant of the record's enum) of the record last started. */
    public void set(Enum<?> field, double value) {
        records[current + field.ordinal()] = value;
    }

    /** Number of records since the last clear. */
    public int count() {
        return count;
    }

    /** Backing array: record i occupies [i * fields, (i + 1) * fields); it changes when the buffer grows. */
    public double[] records() {
        return records;
    }

    public void clear() {
        count = 0;
    }
}
