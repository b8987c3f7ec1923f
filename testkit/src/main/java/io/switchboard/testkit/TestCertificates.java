package io.switchboard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed key material made with the JDK's keytool, in a temporary directory: a server
 * certificate for localhost and 127.0.0.1 (as a PKCS12 keystore and as PEM files), and an agent's
 * client certificate with the PEM file a server trusts it by.
 */
public final class TestCertificates {

  /** The password of both keystores and their keys. */
  public static final String PASSWORD = "changeit";

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes the server's and the agent's key pairs (a few seconds: keytool is a JVM of its own). */
  public static TestCertificates make() {
    try {
      TestCertificates certificates =
          new TestCertificates(Files.createTempDirectory("switchboard-tls"));
      keytool(
          "-genkeypair",
          "-alias",
          "server",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=localhost",
          "-ext",
          "SAN=dns:localhost,ip:127.0.0.1",
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          certificates.serverKeystore().toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      keytool(
          "-genkeypair",
          "-alias",
          "agent",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=agent-1",
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          certificates.clientKeystore().toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "agent",
          "-keystore",
          certificates.clientKeystore().toString(),
          "-storepass",
          PASSWORD,
          "-file",
          certificates.agentCaPem().toString());
      return certificates;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's key and certificate, PKCS12, alias {@code server}. */
  public Path serverKeystore() {
    return dir.resolve("server.p12");
  }

  /** The agent's key and certificate, PKCS12, alias {@code agent}. */
  public Path clientKeystore() {
    return dir.resolve("client.p12");
  }

  /** The agent's certificate, PEM: the CA a server requiring client certificates trusts. */
  public Path agentCaPem() {
    return dir.resolve("agent-ca.pem");
  }

  /** The server's certificate, PEM (written when asked for). */
  public Path serverCertificatePem() throws GeneralSecurityException, IOException {
    Path certificate = dir.resolve("server-cert.pem");
    Files.writeString(
        certificate,
        pem("CERTIFICATE", load(serverKeystore()).getCertificate("server").getEncoded()));
    return certificate;
  }

  /** The server's private key, PKCS#8 PEM (written when asked for). */
  public Path serverPrivateKeyPem() throws GeneralSecurityException, IOException {
    Path key = dir.resolve("server-key.pem");
    Key privateKey = load(serverKeystore()).getKey("server", PASSWORD.toCharArray());
    Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
    return key;
  }

  /** Trusts the server's self-signed certificate; presents the agent's certificate if asked to. */
  public SSLContext clientContext(boolean withClientCertificate)
      throws GeneralSecurityException, IOException {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(serverKeystore()));
    KeyManagerFactory keys = null;
    if (withClientCertificate) {
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(clientKeystore()), PASSWORD.toCharArray());
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /**
   * Another agent's key pair, its certificate's subject {@code CN=<commonName>}, and a PEM file
   * holding it and every certificate of {@code others}: the CAs a server trusts when several
   * agents, each with a certificate of its own, must get in.
   */
  public Path agentKeystore(String commonName) {
    Path keystore = dir.resolve("agent-" + commonName + ".p12");
    if (!Files.exists(keystore)) {
      try {
        keytool(
            "-genkeypair",
            "-alias",
            "agent",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + commonName,
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASSWORD,
            "-keypass",
            PASSWORD);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return keystore;
  }

  /** One PEM file with the certificates of these agents' keystores (see {@link #agentKeystore}). */
  public Path trustedAgents(String... commonNames) throws GeneralSecurityException, IOException {
    StringBuilder pems = new StringBuilder();
    for (String name : commonNames) {
      pems.append(
          pem("CERTIFICATE", load(agentKeystore(name)).getCertificate("agent").getEncoded()));
    }
    Path file = dir.resolve("trusted-" + String.join("-", commonNames) + ".pem");
    Files.writeString(file, pems);
    return file;
  }

  /** Trusts the server's certificate and presents the certificate of agent {@code commonName}. */
  public SSLContext agentContext(String commonName) throws GeneralSecurityException, IOException {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(serverKeystore()));
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(agentKeystore(commonName)), PASSWORD.toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path path) throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  static void keytool(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while keytool ran", e);
    }
  }
}
