package edgesim.protocol.init;

import edgesim.engine.ComponentTypes;
import edgesim.io.FileCache;

/** The initializers of this package, under the type names a configuration gives them. */
public final class Initializers {
    private Initializers() {
    }

    /**
     * Registers the initializers of the neighbour-offloading family (placement, wiring, the network from a
     * topology file, workload replay); {@code files} keeps the files they read across a scenario's resets.
     */
    public static ComponentTypes register(ComponentTypes types, FileCache files) {
        return types
                .initializer("UniformPlacement", UniformPlacement.TYPE)
                .initializer("RadiusWiring", RadiusWiring.TYPE)
                .initializer("NetworkBuilder", NetworkBuilder.type(files.topologies()))
                .initializer("WorkloadReplay", WorkloadReplay.type(files.workloads()));
    }
}
