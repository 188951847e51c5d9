package edgesim.scenario;

/**
 * The result of a reset or step, in flat primitive arrays reused from step to step: per-agent observation,
 * action mask and metrics (row-major, one row per agent), the global state, and the records of the tasks
 * finished during the step. When the spec's state is the observations concatenated, {@link #state} is the
 * observation array itself.
 */
public final class StepOutput {
    public final float[] observation;
    public final byte[] actionMask;
    public final double[] metrics;
    public final float[] state;
    public double[] taskRecords = new double[0];
    public int taskRecordCount;
    public int step;
    public double time_s;
    public boolean terminated;
    public boolean truncated;

    public StepOutput(Spec spec) {
        int agents = spec.agents().size();
        observation = new float[agents * spec.observation().size()];
        actionMask = new byte[agents * spec.actionCount()];
        metrics = new double[agents * spec.metrics().size()];
        state = spec.stateIsObservations() ? observation : new float[spec.state().size()];
    }
}
