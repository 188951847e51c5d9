package edgesim.model;

/** Why a task was dropped; each reason is counted separately. */
public enum DropReason {
    /** It reached a node whose queue was full (on arrival or when offloaded there). */
    QUEUE_FULL,
    /** Its result was not back at the origin by its deadline. */
    DEADLINE,
    /** A task it depends on (in a replayed workload) was dropped, so it can never run. */
    DEPENDENCY
}
