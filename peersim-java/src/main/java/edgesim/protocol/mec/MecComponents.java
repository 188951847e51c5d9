package edgesim.protocol.mec;

import edgesim.engine.ComponentTypes;
import edgesim.io.FileCache;
import edgesim.protocol.Coordinates;
import edgesim.protocol.TraceArrivals;

/** The components of the multi-access edge computing family, under the type names a configuration gives them. */
public final class MecComponents {
    private MecComponents() {
    }

    /**
     * Registers the components of the physical MEC models: devices' and servers' CPUs, uplinks, positions,
     * replayed arrivals, the devices' tasks, the cell and the network from a topology file, workload replay; {@code files} keeps the
     * files they read across a scenario's resets.
     */
    public static ComponentTypes register(ComponentTypes types, FileCache files) {
        return types
                .protocol("Coordinates", Coordinates.TYPE)
                .protocol("MecCpu", MecCpu.TYPE)
                .protocol("Uplink", Uplink.TYPE)
                .protocol("TraceArrivals", TraceArrivals.TYPE)
                .protocol("MecTasks", MecTasks.TYPE)
                .initializer("CellPlacement", CellPlacement.TYPE)
                .initializer("MecNetwork", MecNetwork.type(files.topologies()))
                .initializer("MecWorkload", MecWorkload.type(files.workloads()));
    }

    /** Registers the components of ExplabOff's tabulated environment: the servers' work queues. */
    public static ComponentTypes registerExplabOff(ComponentTypes types) {
        return types.protocol("WorkQueue", WorkQueue.TYPE);
    }
}
