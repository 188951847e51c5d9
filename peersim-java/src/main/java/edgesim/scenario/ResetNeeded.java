package edgesim.scenario;

/** A step was asked of an episode that has not started or has ended. */
public final class ResetNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ResetNeeded(String message) {
        super(message);
    }
}
