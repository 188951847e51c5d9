package edgesim.engine;

/** A protocol that receives events (PeerSim's EDProtocol). Events carry two primitives and a reference. */
public interface EventHandler extends Protocol {
    /** Handles one event addressed to this protocol on {@code node}. */
    void processEvent(Node node, int kind, long arg, Object ref);
}
