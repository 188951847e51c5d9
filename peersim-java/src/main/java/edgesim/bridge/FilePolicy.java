package edgesim.bridge;

import edgesim.config.FileAccess;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The files a client's configuration may open on this server. {@code content:<sha256>}: a file the client sent
 * (see {@link ContentStore}). {@code server:<path>}: a file on the server's side, allowed only inside the data
 * folder given at start ({@code --data-dir}; relative paths are taken from it; links are followed before the
 * check). A plain path: only for a trusted client (the JVM a pygym process started for itself, on its own
 * machine); a server others use opens no path a client names.
 */
final class FilePolicy implements FileAccess {
    private final ContentStore store;
    private final Path dataDir;
    private final boolean trusted;

    /** {@code dataDir}: null for none (no server-side paths unless trusted). */
    FilePolicy(ContentStore store, Path dataDir, boolean trusted) {
        this.store = store;
        this.dataDir = dataDir;
        this.trusted = trusted;
    }

    @Override
    public Path resolve(String value) {
        if (value.startsWith(CONTENT_PREFIX)) {
            return store.path(value.substring(CONTENT_PREFIX.length()));
        }
        if (!value.startsWith(SERVER_PREFIX)) {
            if (trusted) {
                return Path.of(value);
            }
            throw new IllegalArgumentException("this server opens no path a client names: pygym sends topology and "
                    + "workload files by content to a server it did not start; to use a file on the server's side, "
                    + "write server:/path (inside the server's --data-dir)");
        }
        String path = value.substring(SERVER_PREFIX.length());
        if (trusted) {
            return Path.of(path);
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("this server allows no server-side paths (start it with --data-dir "
                    + "FOLDER to allow the files in FOLDER)");
        }
        Path real;
        try {
            real = dataDir.resolve(path).toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("no such file in the server's data folder " + dataDir + " (" + e + ")");
        }
        if (!real.startsWith(dataDir)) {
            throw new IllegalArgumentException("the file is outside the server's data folder " + dataDir);
        }
        return real;
    }
}
