package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files by content: checked before use, cut-off uploads never usable, deleted when unreferenced, bounded. */
class ContentStoreTest {
    private static final Object ALICE = "alice";
    private static final Object BOB = "bob";
    private final ContentStore store = ContentStore.inTemporaryFolder(1000, 1500);

    @AfterEach
    void cleanUp() {
        store.deleteAll();
        assertFalse(Files.exists(store.directory()));
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static byte[] bytes(int n, char c) {
        return String.valueOf(c).repeat(n).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aFileSentInChunksIsCheckedKeptWhileReferencedThenDeleted() throws Exception {
        byte[] data = bytes(700, 'a');
        String sha = sha256(data);
        assertEquals("send", store.offer(ALICE, sha, data.length));
        assertEquals(400, store.chunk(ALICE, sha, 0, java.util.Arrays.copyOf(data, 400)));
        assertEquals(700, store.chunk(ALICE, sha, 400, java.util.Arrays.copyOfRange(data, 400, 700)));
        store.finish(ALICE, sha);
        Path kept = store.path(sha);
        assertTrue(Files.exists(kept));
        assertEquals(700, Files.size(kept));
        // Another client's offer of the same bytes: kept already, nothing to send.
        assertEquals("have", store.offer(BOB, sha, data.length));
        store.reference(List.of(sha), Map.of());
        store.release(List.of(sha, sha)); // both holds
        assertTrue(Files.exists(kept), "a group still uses it");
        store.release(List.of(sha));
        assertFalse(Files.exists(kept));
        assertEquals(0, store.usedBytes());
        assertThrows(IllegalArgumentException.class, () -> store.path(sha));
    }

    @Test
    void anUploadCutOffOrNotMatchingIsNeverUsable() throws Exception {
        byte[] data = bytes(600, 'b');
        String sha = sha256(data);
        store.offer(ALICE, sha, data.length);
        store.chunk(ALICE, sha, 0, java.util.Arrays.copyOf(data, 300));
        BridgeException early = assertThrows(BridgeException.class, () -> store.finish(ALICE, sha));
        assertEquals(BridgeException.FILE, early.getKind());
        assertTrue(early.getMessage().startsWith("the upload of " + sha + " ended after 300 of its 600 bytes"));
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> store.reference(List.of(sha), Map.of(sha, "workload")));
        assertTrue(unknown.getMessage().startsWith("workload = content:" + sha + ": this server keeps no file"));

        store.offer(ALICE, sha, data.length);
        store.chunk(ALICE, sha, 0, bytes(600, 'c'));
        BridgeException changed = assertThrows(BridgeException.class, () -> store.finish(ALICE, sha));
        assertTrue(changed.getMessage().contains("not " + sha + " (the file changed while it was sent?)"));

        store.offer(ALICE, sha, data.length);
        store.chunk(ALICE, sha, 0, java.util.Arrays.copyOf(data, 100));
        store.abandon(ALICE); // the client went away halfway
        assertThrows(BridgeException.class, () -> store.chunk(ALICE, sha, 100, java.util.Arrays.copyOf(data, 100)));
        assertEquals(0, store.usedBytes());
        assertEquals(0, store.keptFiles());
        try (var files = Files.list(store.directory())) {
            assertEquals(0, files.count(), "no partial file left");
        }
    }

    @Test
    void chunksComeInOrderAndWithinTheOfferedSize() throws Exception {
        byte[] data = bytes(100, 'd');
        String sha = sha256(data);
        store.offer(ALICE, sha, 100);
        BridgeException gap = assertThrows(BridgeException.class, () -> store.chunk(ALICE, sha, 50, data));
        assertTrue(gap.getMessage().contains("at byte 50, but 0 bytes were received so far"));
        BridgeException past = assertThrows(BridgeException.class, () -> store.chunk(ALICE, sha, 0, bytes(101, 'd')));
        assertTrue(past.getMessage().contains("runs to byte 101, past the 100 bytes offered"));
        BridgeException notMine = assertThrows(BridgeException.class, () -> store.chunk(BOB, sha, 0, data));
        assertTrue(notMine.getMessage().startsWith("no upload of " + sha + " is in progress for this client"));
        BridgeException badName = assertThrows(BridgeException.class, () -> store.offer(ALICE, "../../etc/passwd", 1));
        assertTrue(badName.getMessage().contains("is not a SHA-256 digest"));
    }

    @Test
    void filesLargerThanTheLimitOrTheCacheAreRefusedByName() throws Exception {
        BridgeException large = assertThrows(BridgeException.class, () -> store.offer(ALICE, sha256(bytes(1, 'x')), 1001));
        assertEquals(BridgeException.LIMIT, large.getKind());
        assertTrue(large.getMessage().startsWith("a file of 1001 bytes is larger than this server's limit of 1000 "
                + "bytes per file (pygym sim serve --max-upload-bytes)"));
        store.offer(ALICE, sha256(bytes(1, 'y')), 900);
        BridgeException full = assertThrows(BridgeException.class, () -> store.offer(BOB, sha256(bytes(1, 'z')), 700));
        assertEquals(BridgeException.LIMIT, full.getKind());
        assertTrue(full.getMessage().startsWith("this server's cache of files sent by content holds 900 of its 1500"));
        store.abandon(ALICE);
        assertEquals("send", store.offer(BOB, sha256(bytes(1, 'z')), 700));
    }

    @Test
    void theFolderIsMadeOnTheFirstUploadAndRemovesWhatKilledServersLeft(@TempDir Path parent) throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        Path left = Files.createDirectory(parent.resolve(ContentStore.FOLDER_PREFIX + ended.pid() + "-abc"));
        Files.writeString(left.resolve("0123"), "a kept file of a killed server");
        Path running = Files.createDirectory(
                parent.resolve(ContentStore.FOLDER_PREFIX + ProcessHandle.current().pid() + "-def"));
        ContentStore lazy = new ContentStore(parent, 100, 100);
        try {
            assertFalse(Files.exists(lazy.directory()), "no folder before the first upload");
            assertEquals("send", lazy.offer(ALICE, sha256(bytes(3, 'x')), 3));
            assertTrue(Files.isDirectory(lazy.directory()));
            assertFalse(Files.exists(left), "the folder of a server that no longer runs is removed");
            assertTrue(Files.exists(running), "a running server's folder stays");
        } finally {
            lazy.deleteAll();
        }
        assertFalse(Files.exists(lazy.directory()));
    }
}
