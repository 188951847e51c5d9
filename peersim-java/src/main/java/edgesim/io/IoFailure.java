package edgesim.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading input files with failures that say why: no such file, permission denied, not UTF-8 text, ... */
public final class IoFailure {
    private IoFailure() {
    }

    /** Why {@code e} happened, in words ({@link IOException#getMessage()} is often just the path). */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The whole file as UTF-8 text; IllegalArgumentException saying {@code "cannot read <what> <path>: "} and
     * the reason, or where the first byte that is not UTF-8 is.
     */
    public static String readUtf8(Path path, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + path + ": " + reason(e));
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("cannot read " + what + " " + path + ": too large to hold in memory");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw new IllegalArgumentException("cannot read " + what + " " + path + ": not UTF-8 text (byte 0x"
                    + String.format("%02x", bytes[at] & 0xff) + " at offset " + at + " starts no UTF-8 character; "
                    + "is it a binary file?)");
        }
        return out.flip().toString();
    }
}
