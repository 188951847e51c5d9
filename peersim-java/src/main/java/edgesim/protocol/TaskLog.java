package edgesim.protocol;

import edgesim.model.RecordLog;
import edgesim.model.Task;

/**
 * Per-simulation record of task ids and of the tasks finished since the records were last taken: for each,
 * origin node, executing node, the latency parts in seconds, the task's id, its line in a replayed workload
 * file (-1 for generated tasks), and when it was created, started running and finished (result back home).
 */
public final class TaskLog {
    /** The fields of one finished-task record, in order, each named by the constant in lower case. */
    public enum Record {
        ORIGIN_NODE, EXECUTOR_NODE, LATENCY_S, WAIT_S, TRANSFER_S, COMPUTE_S, RETURN_S, TASK_ID, WORKLOAD_LINE,
        CREATED_S, STARTED_S, FINISHED_S
    }

    private final RecordLog records = new RecordLog(Record.values().length);
    private long nextId;

    long nextId() {
        return nextId++;
    }

    void add(Task task, double finished_s) {
        int o = records.append();
        double[] r = records.records();
        r[o + Record.ORIGIN_NODE.ordinal()] = task.origin;
        r[o + Record.EXECUTOR_NODE.ordinal()] = task.executor;
        r[o + Record.LATENCY_S.ordinal()] = task.wait_s + task.transfer_s + task.compute_s + task.return_s;
        r[o + Record.WAIT_S.ordinal()] = task.wait_s;
        r[o + Record.TRANSFER_S.ordinal()] = task.transfer_s;
        r[o + Record.COMPUTE_S.ordinal()] = task.compute_s;
        r[o + Record.RETURN_S.ordinal()] = task.return_s;
        r[o + Record.TASK_ID.ordinal()] = task.id;
        r[o + Record.WORKLOAD_LINE.ordinal()] = task.workloadLine;
        r[o + Record.CREATED_S.ordinal()] = task.createdAt_s;
        r[o + Record.STARTED_S.ordinal()] = task.startedAt_s;
        r[o + Record.FINISHED_S.ordinal()] = finished_s;
    }

    /** The records of the tasks finished since they were last cleared. */
    public RecordLog records() {
        return records;
    }
}
