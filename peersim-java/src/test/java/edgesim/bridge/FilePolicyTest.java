package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a client's configuration may open: one policy, read through ConfigReader.getFile. */
class FilePolicyTest {
    @TempDir
    Path tmp;

    private static Path file(Config config) {
        return config.reader().getFile("workload");
    }

    private static Config with(String value, FilePolicy policy) {
        return Config.parse("workload " + value + "\n", "test").withFileAccess(policy);
    }

    @Test
    void aServedClientNamesNoPathButServerPathsInsideTheDataFolder() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data")).toRealPath();
        Path inside = Files.writeString(data.resolve("w.csv"), "x");
        Path outside = Files.writeString(tmp.resolve("secret.txt"), "x");
        Files.createSymbolicLink(data.resolve("link"), outside);
        ContentStore store = ContentStore.inTemporaryFolder(10, 10);
        try {
            FilePolicy policy = new FilePolicy(store, data, false);
            assertEquals(inside, file(with("server:" + inside, policy)));
            assertEquals(inside, file(with("server:w.csv", policy)));
            ConfigException plain = assertThrows(ConfigException.class, () -> file(with(outside.toString(), policy)));
            assertTrue(plain.getMessage().startsWith("workload = " + outside + " (test line 1): this server opens no "
                    + "path a client names"), plain.getMessage());
            for (String escape : new String[] {"server:" + outside, "server:../secret.txt", "server:link"}) {
                ConfigException e = assertThrows(ConfigException.class, () -> file(with(escape, policy)));
                assertTrue(e.getMessage().endsWith("the file is outside the server's data folder " + data),
                        e.getMessage());
            }
            ConfigException missing = assertThrows(ConfigException.class, () -> file(with("server:nope.csv", policy)));
            assertTrue(missing.getMessage().contains("no such file in the server's data folder"));
            ConfigException content = assertThrows(ConfigException.class,
                    () -> file(with("content:" + "ab".repeat(32), policy)));
            assertTrue(content.getMessage().endsWith("this server keeps no file with that content"));

            FilePolicy noData = new FilePolicy(store, null, false);
            ConfigException none = assertThrows(ConfigException.class, () -> file(with("server:" + inside, noData)));
            assertTrue(none.getMessage().contains("this server allows no server-side paths (start it with --data-dir"));
        } finally {
            store.deleteAll();
        }
    }

    @Test
    void aTrustedClientOpensPathsAsWritten() {
        ContentStore store = ContentStore.inTemporaryFolder(10, 10);
        try {
            FilePolicy trusted = new FilePolicy(store, null, true);
            assertEquals(Path.of("/any/where.csv"), file(with("/any/where.csv", trusted)));
            assertEquals(Path.of("/any/where.csv"), file(with("server:/any/where.csv", trusted)));
            assertEquals(Path.of("/any/where.csv"), Config.parse("workload /any/where.csv", "in-jvm").reader()
                    .getFile("workload"), "a configuration made in the JVM opens paths as written");
        } finally {
            store.deleteAll();
        }
    }
}
