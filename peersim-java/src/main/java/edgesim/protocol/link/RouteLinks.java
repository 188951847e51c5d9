package edgesim.protocol.link;

import edgesim.io.TopologyFile;
import edgesim.model.ShannonChannel;
import java.util.function.DoubleUnaryOperator;

/**
 * Links along the routes of a topology file: a transfer runs at the route's bottleneck bandwidth and arrives
 * after the route's one-way latency. A node whose only links are wireless keeps the channel model: its
 * rate is also capped by the channel's rate at the distance between the two endpoints (the free-space
 * Shannon channel of the neighbour scenario, or whichever channel the scenario's radio uses).
 */
public final class RouteLinks implements LinkModel {
    private final TopologyFile topology;
    /** fileIndex[simulation node index] = index of that node in the file's node order. */
    private final int[] fileIndex;
    /** The channel's rate at a distance in metres, bit/s. */
    private final DoubleUnaryOperator wirelessRateBps;

    public RouteLinks(TopologyFile topology, int[] fileIndex, ShannonChannel channel) {
        this(topology, fileIndex, channel::rateBps);
    }

    public RouteLinks(TopologyFile topology, int[] fileIndex, DoubleUnaryOperator wirelessRateBps) {
        this.topology = topology;
        this.fileIndex = fileIndex;
        this.wirelessRateBps = wirelessRateBps;
    }

    /** Whether data can go from {@code from} to {@code to} (the file may allow disconnected pairs). */
    public boolean reachable(int from, int to) {
        return from == to || !Double.isNaN(topology.latency_s[fileIndex[from]][fileIndex[to]]);
    }

    @Override
    public double rateBps(int from, int to) {
        int a = fileIndex[from];
        int b = fileIndex[to];
        double rate = topology.bottleneck_bps[a][b];
        TopologyFile.ComputeNode na = topology.nodes.get(a);
        TopologyFile.ComputeNode nb = topology.nodes.get(b);
        if ((na.wireless() || nb.wireless()) && !Double.isNaN(na.x_m()) && !Double.isNaN(nb.x_m())) {
            double distance = Math.hypot(na.x_m() - nb.x_m(), na.y_m() - nb.y_m());
            rate = Math.min(rate, wirelessRateBps.applyAsDouble(distance));
        }
        return rate;
    }

    @Override
    public double latency_s(int from, int to) {
        return topology.latency_s[fileIndex[from]][fileIndex[to]];
    }
}
