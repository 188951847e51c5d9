package edgesim.bridge;

import edgesim.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.regex.Pattern;

/**
 * A memory region shared with a Python client on the same machine: a file in /dev/shm that both processes map,
 * holding the input frame at offset 0 and the batch frame after it. Frames then cross without base64 or
 * copies through py4j's strings; the py4j call still carries the step and its reply. Only files named
 * {@code pygym-frames-<hex>} directly in /dev/shm, regular (no link), owned by this process's user and of
 * exactly the announced size are mapped, so a client cannot point the simulator at any other file.
 */
final class SharedFrames {
    static final Path DIRECTORY = Path.of("/dev/shm");
    private static final Pattern NAME = Pattern.compile("pygym-frames-[0-9a-f]{8,64}");
    static final int MAX_BYTES = 1 << 30;

    final ByteBuffer input;
    final ByteBuffer output;

    private SharedFrames(ByteBuffer input, ByteBuffer output) {
        this.input = input;
        this.output = output;
    }

    static SharedFrames map(String name, int inputBytes, int outputBytes) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ConfigException("shared frames: '" + name + "' is not a pygym-frames-<hex> name");
        }
        if (inputBytes < Frames.INPUT_HEADER_BYTES || outputBytes < Frames.HEADER_BYTES
                || (long) inputBytes + outputBytes > MAX_BYTES) {
            throw new ConfigException("shared frames: sizes " + inputBytes + " + " + outputBytes
                    + " bytes are out of range (at most " + MAX_BYTES + " in all)");
        }
        Path path = DIRECTORY.resolve(name);
        try {
            PosixFileAttributes attributes = Files.readAttributes(path, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile() || attributes.size() != (long) inputBytes + outputBytes
                    || !attributes.owner().getName().equals(System.getProperty("user.name"))) {
                throw new ConfigException("shared frames: " + path + " is not a regular file of "
                        + ((long) inputBytes + outputBytes) + " bytes owned by " + System.getProperty("user.name"));
            }
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ByteBuffer in = channel.map(FileChannel.MapMode.READ_WRITE, 0, inputBytes)
                        .order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer out = channel.map(FileChannel.MapMode.READ_WRITE, inputBytes, outputBytes)
                        .order(ByteOrder.LITTLE_ENDIAN);
                return new SharedFrames(in, out);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConfigException("shared frames: cannot map " + path + ": " + e);
        }
    }

    /** The input frame the client wrote: its first {@code length} bytes. */
    byte[] input(int length) {
        if (length < 0 || length > input.capacity()) {
            throw new FrameException("shared input frame of " + length + " bytes does not fit the "
                    + input.capacity() + "-byte region");
        }
        byte[] bytes = new byte[length];
        input.get(0, bytes);
        return bytes;
    }
}
