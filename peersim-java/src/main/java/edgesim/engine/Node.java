package edgesim.engine;

/** A network node: an index, a stable name, and its protocols by pid. */
public final class Node {
    private final int index;
    private final String prefix;
    /** Given by an initializer, or {@code prefix + index} built on first use: most resets never ask for it. */
    private String name;
    private final Protocol[] protocols;

    Node(int index, String prefix, int protocolCount) {
        this.index = index;
        this.prefix = prefix;
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
        if (name == null) {
            name = prefix + index;
        }
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
