package edgesim.scenario;

/**
 * A simulation seen as a multi-agent environment: reset with a seed, step with one discrete action per
 * agent, read the results from {@link #output()}.
 */
public interface Scenario {
    /** The layout of every output; fixed for the scenario's life. */
    Spec spec();

    /** The configuration the scenario runs with, as {@code key value} lines. */
    String configText();

    /** Starts a new episode from {@code seed} and runs to the first decision. */
    void reset(long seed);

    /** Applies one discrete action per agent (in spec order) and runs to the next decision. */
    void step(int[] actions);

    /** Applies one continuous action vector per agent (agents x actionDim, row-major). */
    default void stepContinuous(float[] actions) {
        throw new ActionException(spec().envId() + " takes discrete actions, not continuous ones");
    }

    /** Output of the last reset or step (arrays are reused). */
    StepOutput output();

    /** Events delivered since the last reset. */
    long eventsProcessed();

    /** Releases what the scenario holds open (workload files); the scenario is not used afterwards. */
    default void close() {
    }
}
