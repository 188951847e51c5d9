package edgesim.protocol.link;

/** How data travels between two nodes: a rate and a one-way latency for each ordered pair of nodes. */
public interface LinkModel {
    /** Transfer rate from node {@code from} to node {@code to}, bit/s. */
    double rateBps(int from, int to);

    /** One-way latency from {@code from} to {@code to} (propagation, switching), seconds. */
    double latency_s(int from, int to);
}
