package edgesim.engine;

/** A per-node component, held by its node under a name (PeerSim's protocol). */
public interface Protocol {
}
