package edgesim.protocol.link;

import edgesim.engine.Simulation;
import edgesim.model.ShannonChannel;
import edgesim.protocol.Coordinates;

/** Direct wireless links: the Shannon rate of a free-space channel at the distance between the two nodes,
 * and propagation at the speed of light. The default link model. */
public final class ShannonLinks implements LinkModel {
    private final ShannonChannel channel;
    private final Simulation sim;
    private final int coordinatesPid;

    public ShannonLinks(ShannonChannel channel, Simulation sim, int coordinatesPid) {
        this.channel = channel;
        this.sim = sim;
        this.coordinatesPid = coordinatesPid;
    }

    private double distance_m(int from, int to) {
        return ((Coordinates) sim.node(from).protocol(coordinatesPid))
                .distanceTo((Coordinates) sim.node(to).protocol(coordinatesPid));
    }

    @Override
    public double rateBps(int from, int to) {
        return channel.rateBps(distance_m(from, to));
    }

    @Override
    public double latency_s(int from, int to) {
        return ShannonChannel.propagation_s(distance_m(from, to));
    }
}
