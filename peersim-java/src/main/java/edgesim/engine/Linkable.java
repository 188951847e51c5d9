package edgesim.engine;

/** A protocol that holds a node's neighbour view (PeerSim's Linkable). */
public interface Linkable extends Protocol {
    /** Number of neighbours. */
    int degree();

    /** The i-th neighbour, 0 &lt;= i &lt; degree(). */
    Node neighbor(int i);

    /** Adds a neighbour; returns false if it was already present. */
    boolean addNeighbor(Node node);

    /** Whether {@code node} is a neighbour. */
    boolean contains(Node node);
}
