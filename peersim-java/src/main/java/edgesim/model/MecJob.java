package edgesim.model;

/**
 * One part of an offloaded task as the MEC protocols see it: data to upload (bytes, possibly none) and CPU
 * work (cycles), with the times it passed each stage. Whoever created it hears of its progress through its
 * {@link Listener}, so the protocols need not know what a task or an agent is. Times are seconds.
 */
public final class MecJob {
    /** Told when a job's upload or computation finishes. */
    public interface Listener {
        /** The job's data has reached {@link MecJob#target}; it is now queued at its CPU. */
        void uploaded(MecJob job);

        /** The job's cycles are done. */
        void computed(MecJob job);

        /**
         * The job's result is back at its origin ({@link edgesim.protocol.Uplink#returnResult}); listeners that
         * never ask for a result's return need not implement it.
         */
        default void returned(MecJob job) {
        }
    }

    public final Object owner;
    public final Listener listener;
    public final double bytes;
    public final double cycles;
    /** Node that computes the job (the origin itself for a local part). */
    public final int target;

    /** Cycles left while queued or in service (maintained by the CPU). */
    public double remainingCycles;
    public double uploadStart_s = Double.NaN;
    public double uploadDone_s = Double.NaN;
    public double upload_bps = Double.NaN;
    public double txEnergy_j;
    public double queued_s = Double.NaN;
    /** When the CPU began serving the job (first-in first-out: left the queue; sharing: arrived). */
    public double started_s = Double.NaN;
    public double computed_s = Double.NaN;
    /** When the job's result reached its origin (only for results sent back). */
    public double returned_s = Double.NaN;
    public double computeEnergy_j;

    public MecJob(Object owner, Listener listener, double bytes, double cycles, int target) {
        this.owner = owner;
        this.listener = listener;
        this.bytes = bytes;
        this.cycles = cycles;
        this.target = target;
        this.remainingCycles = cycles;
    }
}
