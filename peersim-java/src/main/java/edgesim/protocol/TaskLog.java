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
        records.append();
        records.set(Record.ORIGIN_NODE, task.origin);
        records.set(Record.EXECUTOR_NODE, task.executor);
        records.set(Record.LATENCY_S, task.wait_s + task.transfer_s + task.compute_s + task.return_s);
        records.set(Record.WAIT_S, task.wait_s);
        records.set(Record.TRANSFER_S, task.transfer_s);
        records.set(Record.COMPUTE_S, task.compute_s);
        records.set(Record.RETURN_S, task.return_s);
        records.set(Record.TASK_ID, task.id);
        records.set(Record.WORKLOAD_LINE, task.workloadLine);
        records.set(Record.CREATED_S, task.createdAt_s);
        records.set(Record.STARTED_S, task.startedAt_s);
        records.set(Record.FINISHED_S, finished_s);
    }

    /** The records of the tasks finished since they were last cleared. */
    public RecordLog records() {
        return records;
    }
}
