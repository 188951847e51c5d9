package edgesim.engine;

/** A network node: an index, a stable name, and its protocols by pid. */
public final class Node {
    private final int index;
    private String name;
    private final Protocol[] protocols;

    Node(int index, String name, int protocolCount) {
        this.index = index;
        this.name = name;
        this.protocols = new Protocol[protocolCount];
    }

    /** Index in [0, network size); stable for the simulation's life. */
    public int index() {
        return index;
    }

    /**
     * Name from the configuration ({@code network.node_prefix} plus index) or given by an initializer (a
     * topology file's node names); fixed once initialization ends, and stable across resets.
     */
    public String name() {
        return name;
    }

    /** The protocol with id {@code pid}. */
    public Protocol protocol(int pid) {
        return protocols[pid];
    }

    void rename(String newName) {
        name = newName;
    }

    void setProtocol(int pid, Protocol protocol) {
        protocols[pid] = protocol;
    }

    @Override
    public String toString() {
        return name;
    }
}
