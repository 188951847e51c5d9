package edgesim.engine;

/** Runs once, in declaration order, after all nodes and protocols exist and before any event. */
public interface Initializer {
    /** Initialises the network. */
    void initialize();
}
