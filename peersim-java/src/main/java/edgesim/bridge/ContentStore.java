package edgesim.bridge;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.config.FileAccess;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Files sent over the bridge by content (topologies, workloads), so that sessions need no filesystem shared with
 * their client. A file is named by the SHA-256 of its bytes: a client first offers it ({@link #offer}: kept
 * already, or send it), then sends it in chunks, in order, and ends the upload ({@link #finish}), which checks
 * the length and the digest before the file becomes usable under {@code content:<sha256>}. An upload that is cut
 * off or does not match is never usable, and is deleted. A kept file is counted by its references: a client's
 * hold from its offer or upload until its next create, and each open group that names it; at zero references it
 * is deleted. Kept files and uploads in progress together stay within the cache limit. The store's folder,
 * {@code pygym-files-<pid>-<random>}, is made on the first upload (a JVM that is never sent a file leaves nothing);
 * making it also removes the folders of servers that ended without cleaning up (killed).
 */
final class ContentStore {
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private static final class Kept {
        final Path path;
        final long bytes;
        int references;

        Kept(Path path, long bytes) {
            this.path = path;
            this.bytes = bytes;
        }
    }

    private static final class Upload {
        final Path path;
        final long declared;
        final OutputStream out;
        final MessageDigest digest;
        long received;

        Upload(Path path, long declared, OutputStream out, MessageDigest digest) {
            this.path = path;
            this.declared = declared;
            this.out = out;
            this.digest = digest;
        }
    }

    static final String FOLDER_PREFIX = "pygym-files-";

    private final Path directory;
    private boolean made;
    private final long maxFileBytes;
    private final long maxCacheBytes;
    private final Map<String, Kept> kept = new HashMap<>();
    /** Uploads in progress by uploader (a client identity), then by digest. */
    private final Map<Object, Map<String, Upload>> uploads = new HashMap<>();
    private long usedBytes;
    private long partNumber;

    /** A store in a private folder of {@code parent}, made on the first upload. */
    ContentStore(Path parent, long maxFileBytes, long maxCacheBytes) {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.directory = parent.resolve(FOLDER_PREFIX + ProcessHandle.current().pid() + "-"
                + HexFormat.of().formatHex(random));
        this.maxFileBytes = maxFileBytes;
        this.maxCacheBytes = maxCacheBytes;
    }

    /** A store in the temporary folder: $TMPDIR, else the JVM's java.io.tmpdir. */
    static ContentStore inTemporaryFolder(long maxFileBytes, long maxCacheBytes) {
        String tmpdir = System.getenv("TMPDIR");
        Path parent = Path.of(tmpdir != null && !tmpdir.isEmpty() ? tmpdir : System.getProperty("java.io.tmpdir"));
        return new ContentStore(parent, maxFileBytes, maxCacheBytes);
    }

    /** Makes the folder on first use, after removing the folders that ended servers left. */
    private void makeFolder() throws IOException {
        if (made) {
            return;
        }
        removeLeftovers(directory.getParent());
        Files.createDirectory(directory,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        made = true;
    }

    /** Removes the store folders in {@code parent} whose server process no longer runs. */
    static void removeLeftovers(Path parent) {
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(parent, FOLDER_PREFIX + "*")) {
            for (Path folder : folders) {
                String rest = folder.getFileName().toString().substring(FOLDER_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(folder);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Best effort: another user's folders, or a parent that cannot be listed.
        }
    }

    Path directory() {
        return directory;
    }

    /** The {@code content:} digests that the values of {@code config} name (each once). */
    static List<String> named(Config config) {
        Set<String> digests = new LinkedHashSet<>();
        for (String key : config.keys()) {
            String value = config.raw(key);
            if (value.startsWith(FileAccess.CONTENT_PREFIX)) {
                digests.add(value.substring(FileAccess.CONTENT_PREFIX.length()));
            }
        }
        return new ArrayList<>(digests);
    }

    /**
     * Starts sending a file of {@code bytes} bytes with digest {@code sha256}: returns "have" (the file is kept:
     * the caller now holds a reference) or "send" (send it in chunks, then {@link #finish}). Offering a file
     * again restarts its upload.
     */
    synchronized String offer(Object uploader, String sha256, long bytes) {
        checkDigest(sha256);
        Kept file = kept.get(sha256);
        if (file != null) {
            file.references++;
            return "have";
        }
        if (bytes < 0) {
            throw new BridgeException(BridgeException.FILE, "a file cannot have " + bytes + " bytes", null);
        }
        if (bytes > maxFileBytes) {
            throw new BridgeException(BridgeException.LIMIT, "a file of " + bytes + " bytes is larger than this "
                    + "server's limit of " + maxFileBytes + " bytes per file (pygym sim serve --max-upload-bytes)",
                    null);
        }
        drop(uploader, sha256);
        if (usedBytes + bytes > maxCacheBytes) {
            throw new BridgeException(BridgeException.LIMIT, "this server's cache of files sent by content holds "
                    + usedBytes + " of its " + maxCacheBytes + " bytes (files that open sessions use, and uploads in "
                    + "progress); a file of " + bytes + " bytes does not fit: close sessions, or start the server "
                    + "with a larger --max-cache-bytes", null);
        }
        Path path = directory.resolve(sha256 + "." + (++partNumber) + ".part");
        try {
            makeFolder();
            OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            uploads.computeIfAbsent(uploader, u -> new HashMap<>())
                    .put(sha256, new Upload(path, bytes, out, sha256Digest()));
        } catch (IOException e) {
            throw new BridgeException(BridgeException.FILE, "cannot store a file on the server: " + e, null);
        }
        usedBytes += bytes;
        return "send";
    }

    /** Appends {@code data} at byte {@code offset} of the upload; returns the bytes received so far. */
    long chunk(Object uploader, String sha256, long offset, byte[] data) {
        Upload upload;
        synchronized (this) {
            upload = upload(uploader, sha256);
        }
        synchronized (upload) {
            if (offset != upload.received) {
                throw new BridgeException(BridgeException.FILE, "chunk of " + sha256 + " at byte " + offset + ", but "
                        + upload.received + " bytes were received so far (chunks come in order; offer the file "
                        + "again to restart)", null);
            }
            if (upload.received + data.length > upload.declared) {
                throw new BridgeException(BridgeException.FILE, "chunk of " + sha256 + " runs to byte "
                        + (upload.received + data.length) + ", past the " + upload.declared + " bytes offered", null);
            }
            try {
                upload.out.write(data);
            } catch (IOException e) {
                throw new BridgeException(BridgeException.FILE, "cannot store a file on the server: " + e, null);
            }
            upload.digest.update(data);
            upload.received += data.length;
            return upload.received;
        }
    }

    /**
     * Ends an upload: checks its length and digest, then keeps the file (the caller holds a reference). A
     * mismatch deletes what was received.
     */
    synchronized void finish(Object uploader, String sha256) {
        Upload upload = upload(uploader, sha256);
        synchronized (upload) {
            uploads.get(uploader).remove(sha256);
            close(upload);
            String problem = null;
            if (upload.received != upload.declared) {
                problem = "the upload of " + sha256 + " ended after " + upload.received + " of its "
                        + upload.declared + " bytes";
            } else {
                String actual = HexFormat.of().formatHex(upload.digest.digest());
                if (!actual.equals(sha256)) {
                    problem = "the bytes received have SHA-256 " + actual + ", not " + sha256
                            + " (the file changed while it was sent?)";
                }
            }
            if (problem != null) {
                discard(upload);
                throw new BridgeException(BridgeException.FILE, problem + "; nothing was kept: send it again", null);
            }
            Kept file = kept.get(sha256);
            if (file != null) {
                // Another client sent the same bytes first.
                discard(upload);
                file.references++;
                return;
            }
            Path target = directory.resolve(sha256);
            try {
                Files.move(upload.path, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                discard(upload);
                throw new BridgeException(BridgeException.FILE, "cannot store a file on the server: " + e, null);
            }
            Kept added = new Kept(target, upload.declared);
            added.references = 1;
            kept.put(sha256, added);
        }
    }

    /** Adds a reference to each kept file; ConfigException (nothing referenced) if one is not kept. */
    synchronized void reference(List<String> digests, Map<String, String> keyOf) {
        for (String sha256 : digests) {
            if (!kept.containsKey(sha256)) {
                throw new ConfigException(keyOf.getOrDefault(sha256, "a key") + " = " + FileAccess.CONTENT_PREFIX
                        + sha256 + ": this server keeps no file with that content (send it first; a file whose "
                        + "upload did not finish is never used)");
            }
        }
        for (String sha256 : digests) {
            kept.get(sha256).references++;
        }
    }

    /** Removes one reference from each; a file with none left is deleted. */
    synchronized void release(List<String> digests) {
        for (String sha256 : digests) {
            Kept file = kept.get(sha256);
            if (file != null && --file.references <= 0) {
                kept.remove(sha256);
                usedBytes -= file.bytes;
                delete(file.path);
            }
        }
    }

    /** The kept file with this digest; IllegalArgumentException if there is none. */
    synchronized Path path(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a SHA-256 digest (64 lowercase hex digits)");
        }
        Kept file = kept.get(sha256);
        if (file == null) {
            throw new IllegalArgumentException("this server keeps no file with that content");
        }
        return file.path;
    }

    /** Drops every upload in progress of {@code uploader} (a client that went away). */
    synchronized void abandon(Object uploader) {
        Map<String, Upload> mine = uploads.remove(uploader);
        if (mine != null) {
            for (Upload upload : mine.values()) {
                synchronized (upload) {
                    discard(upload);
                }
            }
        }
    }

    /** Bytes of kept files and uploads in progress. */
    synchronized long usedBytes() {
        return usedBytes;
    }

    /** Number of kept files. */
    synchronized int keptFiles() {
        return kept.size();
    }

    /** Deletes the folder and everything in it (at exit). */
    synchronized void deleteAll() {
        for (Map<String, Upload> mine : uploads.values()) {
            mine.values().forEach(ContentStore::close);
        }
        deleteTree(directory);
    }

    private static void deleteTree(Path folder) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                delete(file);
            }
        } catch (IOException e) {
            // Already gone, or not ours.
        }
        delete(folder);
    }

    private void drop(Object uploader, String sha256) {
        Map<String, Upload> mine = uploads.get(uploader);
        Upload old = mine == null ? null : mine.remove(sha256);
        if (old != null) {
            synchronized (old) {
                discard(old);
            }
        }
    }

    private Upload upload(Object uploader, String sha256) {
        checkDigest(sha256);
        Map<String, Upload> mine = uploads.get(uploader);
        Upload upload = mine == null ? null : mine.get(sha256);
        if (upload == null) {
            throw new BridgeException(BridgeException.FILE, "no upload of " + sha256 + " is in progress for this client "
                    + "(offer the file first; an upload ends when it is finished or its client goes away)", null);
        }
        return upload;
    }

    private static void checkDigest(String sha256) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new BridgeException(BridgeException.FILE, "'" + sha256 + "' is not a SHA-256 digest (64 lowercase "
                    + "hex digits)", null);
        }
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no SHA-256", e);
        }
    }

    /** Closes an upload's file, deletes it and returns its bytes to the budget. */
    private void discard(Upload upload) {
        close(upload);
        delete(upload.path);
        usedBytes -= upload.declared;
    }

    private static void close(Upload upload) {
        try {
            upload.out.close();
        } catch (IOException e) {
            // The file is deleted or checked next.
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // Left for deleteAll at exit.
        }
    }
}
