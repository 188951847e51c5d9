package edgesim.model;

/**
 * A task: CPU work with input and output data and an absolute deadline, followed from creation at its
 * origin node to the return of its result there (or its drop). Times are seconds, sizes bytes.
 */
public final class Task {
    /** Where a task is. */
    public enum Stage {
        /** Arrived at its origin but waiting for the tasks it depends on to complete. */
        WAITING,
        /** Waiting in a node's CPU queue ({@link #at}). */
        QUEUED,
        /** Running on a core of node {@link #at}. */
        IN_SERVICE,
        /** Input being sent to the executing node (waiting for or on the radio, or propagating). */
        UPLOADING,
        /** Result being sent back to the origin. */
        RETURNING,
        /** Result delivered at the origin before the deadline. */
        DONE,
        /** Dropped; see {@link #dropReason}. */
        DROPPED
    }

    public final long id;
    public final int origin;
    public final double cycles;
    public final double inputBytes;
    public final double outputBytes;
    public final double createdAt_s;
    public final double deadline_s;

    public Stage stage = Stage.QUEUED;
    public DropReason dropReason;
    /** Node index where the task is queued or running; the destination while a transfer is under way. */
    public int at;
    /** Index of the core running the task while IN_SERVICE. */
    public int core = -1;
    /** Whether the origin's agent has decided where the task runs (undecided tasks run locally by default). */
    public boolean decided;
    /** Node that ran (or runs) the task; -1 before service starts. */
    public int executor = -1;
    /** When the task started running on its executor (NaN before). */
    public double startedAt_s = Double.NaN;
    /** Line of the workload file the task was replayed from; -1 for generated tasks. */
    public int workloadLine = -1;

    /** Told when the task completes or is dropped (a workload replay releasing its dependants); or null. */
    public Listener listener;

    /** Receives the end of a task. */
    public interface Listener {
        void finished(Task task);
    }

    /** Time the current stage began (entering a queue, starting service, starting a transfer). */
    public double stageStart_s;
    public double wait_s;
    public double transfer_s;
    public double compute_s;
    public double return_s;

    public Task(long id, int origin, double cycles, double inputBytes, double outputBytes, double createdAt_s,
            double deadline_s) {
        this.id = id;
        this.origin = origin;
        this.cycles = cycles;
        this.inputBytes = inputBytes;
        this.outputBytes = outputBytes;
        this.createdAt_s = createdAt_s;
        this.deadline_s = deadline_s;
        this.at = origin;
        this.stageStart_s = createdAt_s;
    }

    /** Whether the task is finished one way or the other. */
    public boolean isOver() {
        return stage == Stage.DONE || stage == Stage.DROPPED;
    }
}
