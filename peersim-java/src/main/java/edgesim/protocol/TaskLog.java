package edgesim.protocol;

import edgesim.model.Task;
import java.util.Arrays;

/**
 * Per-simulation record of task ids and of the tasks finished since the last {@link #clear()}: for each,
 * origin node, executing node, the latency parts in seconds, the task's id, its line in a replayed workload
 * file (-1 for generated tasks), and when it was created, started running and finished (result back home).
 */
public final class TaskLog {
    /** Fields of one finished-task record, in order. */
    public static final String[] FIELDS = {
        "origin_node", "executor_node", "latency_s", "wait_s", "transfer_s", "compute_s", "return_s", "task_id",
        "workload_line", "created_s", "started_s", "finished_s"};

    private long nextId;
    private double[] records = new double[FIELDS.length * 64];
    private int count;

    long nextId() {
        return nextId++;
    }

    void add(Task task, double finished_s) {
        int need = (count + 1) * FIELDS.length;
        if (need > records.length) {
            records = Arrays.copyOf(records, records.length * 2);
        }
        int o = count * FIELDS.length;
        records[o] = task.origin;
        records[o + 1] = task.executor;
        records[o + 2] = task.wait_s + task.transfer_s + task.compute_s + task.return_s;
        records[o + 3] = task.wait_s;
        records[o + 4] = task.transfer_s;
        records[o + 5] = task.compute_s;
        records[o + 6] = task.return_s;
        records[o + 7] = task.id;
        records[o + 8] = task.workloadLine;
        records[o + 9] = task.createdAt_s;
        records[o + 10] = task.startedAt_s;
        records[o + 11] = finished_s;
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
