package edgesim.bridge;

/** A frame sent over the bridge is malformed (wrong length or layout). */
public final class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FrameException(String message) {
        super(message);
    }
}
