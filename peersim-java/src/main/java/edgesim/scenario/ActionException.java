package edgesim.scenario;

/** The actions given to a step are malformed: wrong count, or a value outside the action space. */
public final class ActionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ActionException(String message) {
        super(message);
    }
}
