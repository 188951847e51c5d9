package edgesim.io;

import java.util.HashMap;
import java.util.Map;

/**
 * Files read once for all the resets of one scenario, by path: topology files parsed, workload files checked
 * (a workload's check is also keyed by the names of the nodes it may name). One per scenario, never shared
 * between sessions.
 */
public record FileCache(Map<String, TopologyFile> topologies, Map<String, WorkloadFile.Summary> workloads) {
    public FileCache() {
        this(new HashMap<>(), new HashMap<>());
    }
}
