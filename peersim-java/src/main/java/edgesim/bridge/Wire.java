package edgesim.bridge;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The subset of py4j's wire protocol that the server speaks: text lines ending in '\n'. A client authenticates
 * with {@code A\n<token>\n}, then sends commands, each a command name line, its parts, and a line {@code e};
 * a call on the entry point is {@code c\nt\n<method>\n<arguments>e\n}, each argument a type letter and its
 * value ({@code s} escaped string, {@code i} int, {@code L} long, {@code j} base64 bytes). Replies are one line:
 * {@code !yv} (void), {@code !ys<escaped string>}, {@code !yi<int>}, {@code !yj<base64>}, or {@code !xs<escaped
 * message>} for an error, which py4j's Python client raises as Py4JError with the message.
 */
final class Wire {
    static final String AUTH_COMMAND = "A";
    static final String CALL_COMMAND = "c";
    static final String END = "e";
    static final String ENTRY_POINT = "t";
    static final byte[] VOID_REPLY = "!yv\n".getBytes(StandardCharsets.US_ASCII);
    /** First byte of a TLS record carrying a handshake (a TLS client's hello). */
    static final int TLS_HANDSHAKE_RECORD = 0x16;

    private Wire() {
    }

    /** A command line longer than the reader's budget. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /**
     * Reads lines into a budget of bytes: each {@link #line} call counts against what {@link #budget} allowed
     * last, so a command can never hold more than that in memory. Scans its own buffer (no per-byte calls).
     */
    static final class LineReader {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;
        private long remaining;
        private long limit;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Allows the next lines {@code bytes} bytes in all (newlines included). */
        void budget(long bytes) {
            remaining = bytes;
            limit = bytes;
        }

        /** The first byte that will be read, without consuming it; -1 at the end of the stream. */
        int peek() throws IOException {
            if (start == end && !fill()) {
                return -1;
            }
            return buffer[start] & 0xff;
        }

        /** The bytes read from the stream and not consumed yet. */
        byte[] buffered() {
            return Arrays.copyOfRange(buffer, start, end);
        }

        /** The next line without its '\n'; null at the end of the stream before any byte of a line. */
        byte[] line() throws IOException {
            ByteArrayOutputStream partial = null;
            while (true) {
                if (start == end && !fill()) {
                    if (partial == null) {
                        return null;
                    }
                    throw new EOFException("the connection closed in the middle of a line");
                }
                int newline = -1;
                for (int i = start; i < end; i++) {
                    if (buffer[i] == '\n') {
                        newline = i;
                        break;
                    }
                }
                int stop = newline < 0 ? end : newline;
                long taken = stop - start + (newline < 0 ? 0 : 1);
                if (taken > remaining) {
                    throw new TooLarge("a command longer than " + limit + " bytes");
                }
                remaining -= taken;
                if (newline >= 0 && partial == null) {
                    byte[] line = Arrays.copyOfRange(buffer, start, stop);
                    start = newline + 1;
                    return line;
                }
                if (partial == null) {
                    partial = new ByteArrayOutputStream(Math.max(256, 2 * (stop - start)));
                }
                partial.write(buffer, start, stop - start);
                start = newline < 0 ? end : newline + 1;
                if (newline >= 0) {
                    return partial.toByteArray();
                }
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return false;
            }
            start = 0;
            end = n;
            return true;
        }
    }

    /** The line as UTF-8 text. */
    static String text(byte[] line) {
        return new String(line, StandardCharsets.UTF_8);
    }

    /** py4j's escaping of strings: backslash, carriage return and newline as {@code \\}, {@code \r}, {@code \n}. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The inverse of {@link #escape} (a backslash before any other character keeps that character). */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char next = s.charAt(++i);
                sb.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static void writeString(OutputStream out, String value) throws IOException {
        out.write(("!ys" + escape(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static void writeInt(OutputStream out, int value) throws IOException {
        out.write(("!yi" + value + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static void writeBytes(OutputStream out, byte[] value) throws IOException {
        out.write(new byte[] {'!', 'y', 'j'});
        out.write(Base64.getEncoder().encode(value));
        out.write('\n');
    }

    static void writeError(OutputStream out, String message) throws IOException {
        out.write(("!xs" + escape(message) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
