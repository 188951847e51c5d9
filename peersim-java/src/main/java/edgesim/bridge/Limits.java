package edgesim.bridge;

/**
 * What one server lets its clients use, so that no client can take the JVM down or lock the others out. A
 * client is an identity (see {@link Sessions#hello}): every connection of one pygym client shares it.
 *
 * @param maxConnections connections open at once, authenticated or not
 * @param maxCommandBytes bytes of one command after authentication (a step's input frame, a file chunk)
 * @param maxSessionsPerClient sessions one client may have open
 * @param maxNodesPerSession nodes of one session ({@code network.size}), checked before anything is built
 * @param maxNodesPerClient nodes over all the sessions of one client
 * @param maxUploadBytes bytes of one file sent by content
 * @param maxCacheBytes bytes of all files sent by content and kept (those that open sessions use, and uploads
 *     in progress)
 * @param orphanGrace_s seconds a client may have no connection before its sessions are closed
 * @param maxHeapFraction fraction of the JVM's maximum heap in use (after a collection) above which no session is
 *     created, whoever asks: the memory a scenario needs is not proportional to its nodes alone (1: no check)
 */
public record Limits(int maxConnections, int maxCommandBytes, int maxSessionsPerClient, int maxNodesPerSession,
        long maxNodesPerClient, long maxUploadBytes, long maxCacheBytes, double orphanGrace_s,
        double maxHeapFraction) {
    /** Bytes a client may send before it has authenticated, and the seconds it has to do so. */
    public static final int AUTH_MAX_BYTES = 1024;
    public static final int AUTH_TIMEOUT_MS = 5000;
    /** The smallest command limit: a file chunk (1 MiB as base64) and a large batch's input frame must fit. */
    public static final int MIN_COMMAND_BYTES = 4 << 20;

    /**
     * Defaults for a server that others use (pygym sim serve, the container). Measured on the development
     * machine: offload-neighbour-v0 with 1,000 nodes is made and reset in 2 s, with 3,000 in 7 s and 10,000 in
     * 75 s; offload-mec-v0 with 1,000 devices takes 14 s and 500 MB (its observation grows with the devices).
     */
    public static final Limits SERVED = new Limits(256, 64 << 20, 1024, 1_000, 100_000, 512L << 20, 2L << 30, 5.0,
            0.85);

    /**
     * Defaults for the JVM a pygym process starts for itself: its one client is the user who started it, so
     * sessions and nodes are bounded by the heap only.
     */
    public static final Limits OWN_PROCESS = new Limits(256, 64 << 20, Integer.MAX_VALUE, Integer.MAX_VALUE,
            Long.MAX_VALUE, 512L << 20, 2L << 30, 5.0, 1.0);

    public Limits {
        if (maxConnections < 2 || maxCommandBytes < MIN_COMMAND_BYTES || maxSessionsPerClient < 1
                || maxNodesPerSession < 1 || maxNodesPerClient < 1 || maxUploadBytes < 1 || maxCacheBytes < 1
                || !(orphanGrace_s >= 0 && orphanGrace_s <= 86_400) || !(maxHeapFraction > 0 && maxHeapFraction <= 1)) {
            throw new IllegalArgumentException("limits out of range: connections " + maxConnections + " (>= 2), command "
                    + maxCommandBytes + " bytes (>= " + MIN_COMMAND_BYTES + "), sessions per client "
                    + maxSessionsPerClient + ", nodes per session " + maxNodesPerSession + ", nodes per client "
                    + maxNodesPerClient + ", upload " + maxUploadBytes + " bytes, cache " + maxCacheBytes
                    + " bytes (each >= 1), orphan grace " + orphanGrace_s + " s (in [0, 86400]), heap fraction "
                    + maxHeapFraction + " (in (0, 1])");
        }
    }
}
