package edgesim.bridge;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * What a session call throws to Python: a kind that names the Python error class, the cause's message, and
 * for unexpected failures the Java stack trace.
 */
public final class BridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Error kinds; Python maps each to a named exception. */
    public static final String CONFIG = "config";
    public static final String ACTION = "action";
    public static final String FRAME = "frame";
    public static final String SESSION = "session";
    public static final String SIMULATOR = "simulator";
    /** A limit of the server (sessions, nodes, file bytes) that the call would pass. */
    public static final String LIMIT = "limit";
    /** A file sent by content that cannot be taken (bad digest, cut off, out of order). */
    public static final String FILE = "file";

    private final String kind;
    private final String detail;

    BridgeException(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.detail = cause == null ? "" : stackTrace(cause);
    }

    public String getKind() {
        return kind;
    }

    /** The Java stack trace of the cause (empty for expected errors such as a bad key). */
    public String getDetail() {
        return detail;
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
