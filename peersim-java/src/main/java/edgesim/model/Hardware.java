package edgesim.model;

/**
 * The hardware every scenario accepts, from configuration keys or from a topology file: far beyond real
 * machines, so only a typo or a hostile input is refused, and tight enough that no value can exhaust memory
 * (cores are allocated) or make a service time infinite or zero. topologies.limits (Python) holds the same.
 */
public final class Hardware {
    /** Cores of one processor. */
    public static final int MAX_CORES = 4096;
    /** Clock rate of one core, Hz. */
    public static final double MIN_HZ = 1e6;
    public static final double MAX_HZ = 1e12;

    private Hardware() {
    }
}
