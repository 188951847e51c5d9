package edgesim.config;

import java.nio.file.Path;

/**
 * Which files a configuration may open, and where: the one place that turns a file-valued key
 * ({@code topology}, {@code workload}) into a path. A configuration parsed inside the JVM opens paths as
 * written ({@link #LOCAL}); the bridge gives each client's configuration its own policy (files sent by
 * content, server-side paths only under a data directory). Values are {@code content:<sha256>} (a file sent
 * over the bridge), {@code server:<path>} (a file on the server's side, said explicitly) or a plain path.
 */
@FunctionalInterface
public interface FileAccess {
    /** Prefix of a file named by its content. */
    String CONTENT_PREFIX = "content:";
    /** Prefix of a path on the server's side. */
    String SERVER_PREFIX = "server:";

    /**
     * The file {@code value} names. Throws IllegalArgumentException saying why it may not be opened (the
     * reader adds the key and the value).
     */
    Path resolve(String value);

    /** Paths as written ({@code server:} stripped); no files by content. */
    FileAccess LOCAL = value -> {
        if (value.startsWith(CONTENT_PREFIX)) {
            throw new IllegalArgumentException("a file by content exists only on a simulator server that received it");
        }
        return Path.of(value.startsWith(SERVER_PREFIX) ? value.substring(SERVER_PREFIX.length()) : value);
    };
}
