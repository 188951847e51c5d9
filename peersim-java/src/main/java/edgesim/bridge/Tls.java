package edgesim.bridge;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS for the server from PEM files: an X.509 certificate (chain) and its private key in PKCS#8 ({@code BEGIN
 * PRIVATE KEY}: RSA, EC or Ed25519), as {@code openssl req -x509 -newkey ...} writes them.
 */
final class Tls {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private Tls() {
    }

    /** A factory that layers server-side TLS over accepted sockets; IllegalArgumentException names the file. */
    static SSLSocketFactory serverFactory(Path certificate, Path key) {
        Certificate[] chain = certificates(certificate);
        PrivateKey privateKey = privateKey(key);
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, password);
            store.setKeyEntry("server", privateKey, password, chain);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--tls-key " + key + " does not match --tls-cert " + certificate
                    + " (" + e.getMessage() + ")");
        }
    }

    private static Certificate[] certificates(Path file) {
        try {
            byte[] pem = Files.readAllBytes(file);
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--tls-cert " + file + " holds no certificate");
            }
            return chain.toArray(new Certificate[0]);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --tls-cert " + file + ": " + e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + file + " is not a PEM X.509 certificate ("
                    + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --tls-key " + file + ": " + e);
        }
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("--tls-key " + file + " is not a PEM PKCS#8 private key (" + KEY_BEGIN
                    + "); convert one with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--tls-key " + file + ": bad base64 (" + e.getMessage() + ")");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // Try the next algorithm.
            }
        }
        throw new IllegalArgumentException("--tls-key " + file + ": not an RSA, EC or Ed25519 PKCS#8 private key");
    }
}
