package edgesim.protocol;

import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.WorkloadFile;

/**
 * Receives, at its node, the arrivals of a replayed workload file and hands them to the simulation's
 * {@link WorkloadStream}. It has no keys: the replay is configured by the scenario's replay initializer
 * ({@link WorkloadReplay}, {@link MecWorkload}), and without one this protocol receives nothing.
 */
public final class TraceArrivals implements EventHandler {
    static final int ARRIVAL = 1;

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> node -> new TraceArrivals(sim);

    private final Simulation sim;
    private WorkloadStream<?> stream;

    TraceArrivals(Simulation sim) {
        this.sim = sim;
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        if (stream == null) {
            stream = sim.shared(WorkloadStream.class, () -> {
                throw new IllegalStateException("a workload arrival reached a simulation without a replay");
            });
        }
        stream.arrive(node, (WorkloadFile.Row) ref);
    }
}
