package edgesim.protocol;

import edgesim.engine.ComponentTypes;

/** The per-node protocols of this package, under the type names a configuration gives them. */
public final class Protocols {
    private Protocols() {
    }

    /**
     * Registers the protocols of the neighbour-offloading family: positions, neighbour tables, CPUs, radios,
     * task origins, arrivals (Poisson or replayed) and load beacons.
     */
    public static ComponentTypes register(ComponentTypes types) {
        return types
                .protocol("Coordinates", Coordinates.TYPE)
                .protocol("NeighbourTable", NeighbourTable.TYPE)
                .protocol("Cpu", Cpu.TYPE)
                .protocol("Radio", Radio.TYPE)
                .protocol("Tasks", Tasks.TYPE)
                .protocol("PoissonArrivals", PoissonArrivals.TYPE)
                .protocol("LoadBeacon", LoadBeacon.TYPE)
                .protocol("TraceArrivals", TraceArrivals.TYPE);
    }
}
