package edgesim.protocol;

import java.util.Arrays;

/**
 * Per-simulation record of task ids and of the tasks finished since the last {@link #clear()}: for each,
 * origin node, executing node, and the latency parts in seconds.
 */
public final class TaskLog {
    /** Fields of one finished-task record, in order. */
    public static final String[] FIELDS = {
        "origin_node", "executor_node", "latency_s", "wait_s", "transfer_s", "compute_s", "return_s"};

    private long nextId;
    private double[] records = new double[FIELDS.length * 64];
    private int count;

    long nextId() {
        return nextId++;
    }

    void add(int origin, int executor, double wait_s, double transfer_s, double compute_s, double return_s) {
        int need = (count + 1) * FIELDS.length;
        if (need > records.length) {
            records = Arrays.copyOf(records, records.length * 2);
        }
        int o = count * FIELDS.length;
        records[o] = origin;
        records[o + 1] = executor;
        records[o + 2] = wait_s + transfer_s + compute_s + return_s;
        records[o + 3] = wait_s;
        records[o + 4] = transfer_s;
        records[o + 5] = compute_s;
        records[o + 6] = return_s;
        count++;
    }

    /** Number of records since the last clear. */
    public int count() {
        return count;
    }

    /** Backing array: record i occupies [i * FIELDS.length, (i + 1) * FIELDS.length). */
    public double[] records() {
        return records;
    }

    public void clear() {
        count = 0;
    }
}
