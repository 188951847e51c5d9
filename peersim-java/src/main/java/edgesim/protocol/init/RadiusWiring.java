package edgesim.protocol.init;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.protocol.Coordinates;
import edgesim.protocol.NeighbourTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Links each node to the nearest other nodes within a radius, nearest first (ties by node index), until
 * its table is full. The relation need not be symmetric; each table records its listeners.
 */
public final class RadiusWiring implements Initializer {
    /** @config the NeighbourTable protocol to fill. */
    public static final String PAR_LINKABLE = "linkable";
    /** @config the Coordinates protocol giving positions. */
    public static final String PAR_COORDINATES = "coordinates";
    /** @config maximum link distance, metres. */
    public static final String PAR_RADIUS = "radius_m";

    public static final ComponentTypes.InitializerType TYPE = RadiusWiring::new;

    private final Simulation sim;
    private final int linkablePid;
    private final int coordinatesPid;
    private final double radius_m;

    public RadiusWiring(ConfigReader config, Simulation sim) {
        this.sim = sim;
        this.linkablePid = sim.pidFromKey(config, PAR_LINKABLE, NeighbourTable.class);
        this.coordinatesPid = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        this.radius_m = config.getPositive(PAR_RADIUS);
    }

    @Override
    public void initialize() {
        wire(sim, linkablePid, coordinatesPid, radius_m);
    }

    /** Fills every node's table with its nearest nodes within {@code radius_m}, nearest first. */
    static void wire(Simulation sim, int linkablePid, int coordinatesPid, double radius_m) {
        int n = sim.size();
        record Candidate(Node node, double distance) {
        }
        for (int i = 0; i < n; i++) {
            Node node = sim.node(i);
            Coordinates here = (Coordinates) node.protocol(coordinatesPid);
            List<Candidate> candidates = new ArrayList<>();
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                Node other = sim.node(j);
                double d = here.distanceTo((Coordinates) other.protocol(coordinatesPid));
                if (d <= radius_m) {
                    candidates.add(new Candidate(other, d));
                }
            }
            candidates.sort(Comparator.comparingDouble(Candidate::distance).thenComparingInt(c -> c.node().index()));
            NeighbourTable table = (NeighbourTable) node.protocol(linkablePid);
            for (Candidate c : candidates) {
                if (table.degree() == table.maxDegree()) {
                    break;
                }
                table.addNeighbor(c.node());
                ((NeighbourTable) c.node().protocol(linkablePid)).addListener(i);
            }
        }
    }
}
