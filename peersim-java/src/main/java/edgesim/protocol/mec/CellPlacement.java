package edgesim.protocol.mec;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.protocol.Coordinates;

/**
 * Places a cell: the first {@code devices} nodes uniformly at random in a disc of radius {@code radius_m}
 * around the origin (random stream "placement"), the remaining nodes (the edge servers) evenly on a circle
 * of radius {@code server_ring_m}, the first at angle 0; a single server sits at the centre.
 */
public final class CellPlacement implements Initializer {
    /** @config the Coordinates protocol to set. */
    public static final String PAR_COORDINATES = "coordinates";
    /** @config how many of the first nodes are devices; the rest are servers. */
    public static final String PAR_DEVICES = "devices";
    /** @config cell radius, metres. */
    public static final String PAR_RADIUS = "radius_m";
    /** @config radius of the circle the servers stand on, metres. */
    public static final String PAR_SERVER_RING = "server_ring_m";

    public static final ComponentTypes.InitializerType TYPE = CellPlacement::new;

    private final Simulation sim;
    private final int coordinatesPid;
    private final int devices;
    private final double radius_m;
    private final double ring_m;

    public CellPlacement(ConfigReader config, Simulation sim) {
        this.sim = sim;
        this.coordinatesPid = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        this.devices = config.getInt(PAR_DEVICES, 1, sim.size() - 1);
        this.radius_m = config.getPositive(PAR_RADIUS);
        this.ring_m = config.getDouble(PAR_SERVER_RING, 0, radius_m);
    }

    @Override
    public void initialize() {
        place(sim, coordinatesPid, devices, radius_m, ring_m);
    }

    /**
     * Places the first {@code devices} nodes of {@code sim} in the disc and the rest on the ring, as described
     * above (shared with {@link MecNetwork}, which places a cell when it has no topology file).
     */
    static void place(Simulation sim, int coordinatesPid, int devices, double radius_m, double ring_m) {
        Rng rng = sim.random("placement");
        for (int i = 0; i < devices; i++) {
            Coordinates c = (Coordinates) sim.node(i).protocol(coordinatesPid);
            // r = R sqrt(u) makes the density uniform over the disc's area.
            double r = radius_m * StrictMath.sqrt(rng.nextDouble());
            double angle = 2 * StrictMath.PI * rng.nextDouble();
            c.x_m = r * StrictMath.cos(angle);
            c.y_m = r * StrictMath.sin(angle);
        }
        int servers = sim.size() - devices;
        for (int k = 0; k < servers; k++) {
            Coordinates c = (Coordinates) sim.node(devices + k).protocol(coordinatesPid);
            double r = servers == 1 ? 0 : ring_m;
            double angle = 2 * StrictMath.PI * k / servers;
            c.x_m = r * StrictMath.cos(angle);
            c.y_m = r * StrictMath.sin(angle);
        }
    }
}
