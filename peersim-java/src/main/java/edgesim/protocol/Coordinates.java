package edgesim.protocol;

import edgesim.engine.ComponentTypes;
import edgesim.engine.Protocol;

/** A node's position in the plane, metres. Set by a placement initializer. */
public final class Coordinates implements Protocol {
    public double x_m;
    public double y_m;

    /** Registered as {@code Coordinates}; it has no keys. */
    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> node -> new Coordinates();

    /** Euclidean distance to {@code other}, metres. */
    public double distanceTo(Coordinates other) {
        double dx = x_m - other.x_m;
        double dy = y_m - other.y_m;
        return Math.sqrt(dx * dx + dy * dy);
    }
}
