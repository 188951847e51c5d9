package edgesim.engine;

/** Runs at scheduled simulated times (PeerSim's Control); scheduled by {@code control.NAME.step_s}. */
public interface Control {
    /** Executes at the current simulated time. */
    void execute();
}
