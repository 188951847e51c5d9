package edgesim.scenario;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Simulation;
import edgesim.model.RecordLog;
import edgesim.protocol.WorkloadStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every scenario shares, so that a scenario class holds only its model and its view of it.
 *
 * <p>Configuration: the first build reads and checks every key (the scenario's own in {@link #readKeys}, the
 * components' as the simulation is built) and keeps the configuration's evaluated numbers; each reset then
 * rebuilds only the simulation from them. A scenario's constructor calls {@link #validate()} for that first
 * build, declares its {@link Layout}s with the bounds the simulation gives, and calls {@link #publish}.
 *
 * <p>Episodes: {@link #reset} builds a fresh simulation ({@link #built}), clears the metrics and calls
 * {@link #begin}; {@link #step} and {@link #stepContinuous} refuse an episode that has not started or has ended,
 * check the actions, clear the metrics, call {@link #apply}, count the step and call {@link #advance}. Both end
 * with {@link #observe}, the task records since the last frame ({@link #taskLog}), and the frame's step, time
 * and ends ({@link #terminate}, {@link #truncate}). A replayed workload's file is closed when its simulation is
 * replaced and when the scenario closes.
 */
public abstract class AbstractScenario implements Scenario {
    private final Config config;
    private final ComponentTypes types;
    /** Numbers of the configuration, evaluated once for all the resets. */
    private final Map<String, Double> numbers = new HashMap<>();
    private boolean validated;
    private Spec spec;
    /** The scaling of a normalised observation mode, or null for raw observations. */
    private ObservationScaling scaling;
    private StepOutput out;
    private Simulation sim;
    private int step;
    private boolean terminated;
    private boolean truncated;

    /** A scenario running {@code config} with its component {@code types} and those of {@code plugins}. */
    protected AbstractScenario(Config config, ComponentTypes types, List<ComponentPlugin> plugins) {
        this.config = config;
        this.types = types;
        plugins.forEach(p -> p.register(types));
    }

    /**
     * Reads and checks the scenario's keys that must be checked before any component, so that a bad value is
     * reported under its own name (counts of nodes); first build only.
     */
    protected void readKeysFirst(ConfigReader reader) {
    }

    /** Reads and checks the scenario's own keys, once: their values hold for every reset. */
    protected abstract void readKeys(ConfigReader reader, Simulation sim);

    /** A simulation was built (the first build, then every reset): find what the episode uses in it. */
    protected void built(Simulation sim) {
    }

    /** Starts the episode: runs the new simulation to the first decision (it may end the episode at once). */
    protected abstract void begin();

    /** Applies one discrete action per agent, already checked (one per agent, each in range). */
    protected void apply(int[] actions) {
        throw new IllegalStateException(spec.envId() + " declares discrete actions and does not apply them");
    }

    /** Checks one continuous action vector per agent before anything is applied; ActionException if wrong. */
    protected void check(float[] actions) {
    }

    /** Applies one continuous action vector per agent (agents x actionDim, row-major), already checked. */
    protected void apply(float[] actions) {
        throw new IllegalStateException(spec.envId() + " declares continuous actions and does not apply them");
    }

    /**
     * Runs from the decisions just applied to the next ones ({@link #step()} already counts this step), and ends
     * the episode with {@link #terminate} or {@link #truncate} when it is over.
     */
    protected abstract void advance();

    /** Writes the frame's observation, action mask, metrics and state (unless the state is the observations). */
    protected abstract void observe(StepOutput out);

    /** The simulation's log of finished tasks, emptied into each frame; null for a scenario that keeps none. */
    protected RecordLog taskLog(Simulation sim) {
        return null;
    }

    /** The first build: reads and checks the whole configuration; returns the simulation for the spec's bounds. */
    protected final Simulation validate() {
        build(0);
        return sim;
    }

    /** Fixes the spec and the output arrays, and releases the simulation of the first build. */
    protected final void publish(Spec spec) {
        publish(spec, false);
    }

    /**
     * As {@link #publish(Spec)}; with {@code normalised}, the observations (and a state of its own) are scaled
     * by their declared bounds ({@link ObservationScaling}) after every {@link #observe}, and the published spec
     * says so. {@code spec} declares the raw fields.
     */
    protected final void publish(Spec spec, boolean normalised) {
        this.scaling = normalised ? new ObservationScaling(spec) : null;
        this.spec = normalised ? scaling.spec() : spec;
        this.out = new StepOutput(this.spec);
        close();
    }

    /** The current episode's simulation. */
    protected final Simulation sim() {
        return sim;
    }

    /** Steps taken in the current episode. */
    protected final int step() {
        return step;
    }

    /** Ends the episode in a terminal state. */
    protected final void terminate() {
        terminated = true;
    }

    /** Ends the episode by a limit (steps, or a replayed workload that has finished). */
    protected final void truncate() {
        truncated = true;
    }

    /** Whether the episode has ended. */
    protected final boolean ended() {
        return terminated || truncated;
    }

    private void build(long seed) {
        close(); // the previous episode's workload file, which may have lines left
        if (validated) {
            sim = new Simulation(config.trustedReader(numbers), types, seed);
        } else {
            ConfigReader reader = config.reader(numbers);
            readKeysFirst(reader);
            sim = new Simulation(reader, types, seed);
            readKeys(reader, sim);
            sim.checkAllKeysUsed();
            validated = true;
        }
        built(sim);
    }

    @Override
    public final Spec spec() {
        return spec;
    }

    @Override
    public final String configText() {
        return config.toText();
    }

    @Override
    public final StepOutput output() {
        return out;
    }

    @Override
    public final long eventsProcessed() {
        return sim == null ? 0 : sim.eventsProcessed();
    }

    @Override
    public final void reset(long seed) {
        build(seed);
        step = 0;
        terminated = false;
        truncated = false;
        Arrays.fill(out.metrics, 0);
        begin();
        finish();
    }

    @Override
    public final void step(int[] actions) {
        if (spec.continuous()) {
            throw new ActionException(spec.envId() + " takes continuous actions: " + spec.actionDim()
                    + " float32 per agent (" + String.join(", ", spec.continuousActions().stream().map(Field::name).toList())
                    + ")");
        }
        requireRunning();
        int agents = spec.agents().size();
        if (actions.length != agents) {
            throw new ActionException("expected " + agents + " actions (one per agent), got " + actions.length);
        }
        for (int a = 0; a < agents; a++) {
            if (actions[a] < 0 || actions[a] >= spec.actionCount()) {
                throw new ActionException("action " + actions[a] + " for agent " + spec.agents().get(a)
                        + " is outside [0, " + spec.actionCount() + ")");
            }
        }
        Arrays.fill(out.metrics, 0);
        apply(actions);
        next();
    }

    @Override
    public final void stepContinuous(float[] actions) {
        if (!spec.continuous()) {
            throw new ActionException(spec.envId() + " takes discrete actions, not continuous ones");
        }
        requireRunning();
        check(actions);
        Arrays.fill(out.metrics, 0);
        apply(actions);
        next();
    }

    private void requireRunning() {
        if (sim == null) {
            throw new ResetNeeded("step before reset: call reset(seed) first");
        }
        if (ended()) {
            throw new ResetNeeded("the episode ended at step " + step + "; call reset(seed) first");
        }
    }

    private void next() {
        step++;
        advance();
        finish();
    }

    private void finish() {
        observe(out);
        if (scaling != null) {
            scaling.apply(out);
        }
        RecordLog log = taskLog(sim);
        if (log != null) {
            out.taskRecords = log.records();
            out.taskRecordCount = log.count();
            log.clear();
        }
        out.step = step;
        out.time_s = sim.now();
        out.terminated = terminated;
        out.truncated = truncated;
    }

    /** Closes the workload file the current simulation replays, if any; the scenario is not used afterwards. */
    @Override
    public final void close() {
        WorkloadStream<?> replay = sim == null ? null : sim.sharedOrNull(WorkloadStream.class);
        if (replay != null) {
            replay.close();
        }
        sim = null;
    }
}
