package edgesim.protocol.init;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.protocol.Coordinates;

/** Places every node uniformly at random in a width x height rectangle (random stream "placement"). */
public final class UniformPlacement implements Initializer {
    /** @config the Coordinates protocol to set. */
    public static final String PAR_COORDINATES = "coordinates";
    /** @config width of the area, metres. */
    public static final String PAR_WIDTH = "width_m";
    /** @config height of the area, metres. */
    public static final String PAR_HEIGHT = "height_m";

    public static final ComponentTypes.InitializerType TYPE = UniformPlacement::new;

    private final Simulation sim;
    private final int coordinatesPid;
    private final double width_m;
    private final double height_m;

    public UniformPlacement(ConfigReader config, Simulation sim) {
        this.sim = sim;
        this.coordinatesPid = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        this.width_m = config.getPositive(PAR_WIDTH);
        this.height_m = config.getPositive(PAR_HEIGHT);
    }

    @Override
    public void initialize() {
        place(sim, coordinatesPid, width_m, height_m);
    }

    /** Places every node uniformly in [0, width) x [0, height) from the "placement" stream. */
    static void place(Simulation sim, int coordinatesPid, double width_m, double height_m) {
        Rng rng = sim.random("placement");
        for (int i = 0; i < sim.size(); i++) {
            Coordinates c = (Coordinates) sim.node(i).protocol(coordinatesPid);
            c.x_m = rng.uniform(0, width_m);
            c.y_m = rng.uniform(0, height_m);
        }
    }
}
