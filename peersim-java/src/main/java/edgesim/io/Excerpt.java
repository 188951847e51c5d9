package edgesim.io;

/**
 * Text from user input as error messages quote it: short text whole, long text cut to its start and
 * end with its length in between, so that a message about a megabyte-long value stays readable.
 */
public final class Excerpt {
    /** Longest text quoted whole, characters. */
    public static final int MAX_CHARS = 160;
    private static final int HEAD = 100;
    private static final int TAIL = 20;

    private Excerpt() {
    }

    /** {@code text} if it is at most {@link #MAX_CHARS} long, else its start, its length and its end. */
    public static String of(String text) {
        if (text == null || text.length() <= MAX_CHARS) {
            return text;
        }
        return text.substring(0, HEAD) + "... (" + text.length() + " characters in all) ..."
                + text.substring(text.length() - TAIL);
    }

    /** As {@link #of(String)} for any value ({@code String.valueOf}). */
    public static String of(Object value) {
        return of(String.valueOf(value));
    }
}
