package io.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A certificate authority of its own for a cluster's nodes, made with the JDK's keytool: each
 * node's PKCS12 keystore holds a key and a certificate this CA signed (for 127.0.0.1, good for
 * server and client authentication), and the truststore holds the CA, as a Kubernetes Secret would
 * hand them to the nodes. Two instances are two unrelated CAs.
 */
public final class ClusterCertificates {

  /** The password of every keystore and key here. */
  public static final String PASSWORD = TestCertificates.PASSWORD;

  private final Path dir;
  private final Map<String, Path> nodes = new HashMap<>();

  private ClusterCertificates(Path dir) {
    this.dir = dir;
  }

  /** A new CA and its truststore. */
  public static ClusterCertificates newAuthority(String name) {
    try {
      ClusterCertificates authority =
          new ClusterCertificates(Files.createTempDirectory("switchboard-ca-" + name));
      Path ca = authority.dir.resolve("ca.p12");
      TestCertificates.keytool(
          "-genkeypair",
          "-alias",
          "ca",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=" + name + " cluster CA",
          "-ext",
          "bc:c",
          "-validity",
          "2",
          "-storetype",
          "PKCS12",
          "-keystore",
          ca.toString(),
          "-storepass",
          PASSWORD,
          "-keypass",
          PASSWORD);
      TestCertificates.keytool(
          "-exportcert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          ca.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          authority.caPem().toString());
      authority.trust(authority.caPem(), name);
      return authority;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The CA's certificate, PEM. */
  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  /** The truststore (PKCS12) the nodes check each other's certificates against. */
  public Path truststore() {
    return dir.resolve("truststore.p12");
  }

  /** Adds another CA's certificate to this truststore (as during a rotation). */
  public void trust(Path caPem, String alias) throws IOException {
    TestCertificates.keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        alias,
        "-file",
        caPem.toString(),
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore().toString(),
        "-storepass",
        PASSWORD);
  }

  /** The keystore of a node, made on first ask: its key and a certificate signed by this CA. */
  public synchronized Path node(String name) {
    return nodes.computeIfAbsent(name, this::makeNode);
  }

  private Path makeNode(String name) {
    try {
      Path keystore = dir.resolve(name + ".p12");
      Path request = dir.resolve(name + ".csr");
      Path signed = dir.resolve(name + ".pem");
      TestCertificates.keytool(
          "-genkeypair",
          "-alias",
          "node",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-dname",
          "CN=" + name,
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
      TestCertificates.keytool(
          "-certreq",
          "-alias",
          "node",
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD,
          "-file",
          request.toString());
      TestCertificates.keytool(
          "-gencert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          dir.resolve("ca.p12").toString(),
          "-storepass",
          PASSWORD,
          "-infile",
          request.toString(),
          "-outfile",
          signed.toString(),
          "-validity",
          "2",
          "-ext",
          "SAN=ip:127.0.0.1,dns:localhost",
          "-ext",
          "EKU=serverAuth,clientAuth");
      TestCertificates.keytool(
          "-importcert",
          "-noprompt",
          "-alias",
          "ca",
          "-file",
          caPem().toString(),
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD);
      TestCertificates.keytool(
          "-importcert",
          "-alias",
          "node",
          "-file",
          signed.toString(),
          "-keystore",
          keystore.toString(),
          "-storepass",
          PASSWORD);
      return keystore;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A node's remoting settings for TLS with mutual authentication, as the node's docs give them.
   */
  public Map<String, Object> remotingSettings(String node) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("pekko.remote.artery.transport", "tls-tcp");
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-store", node(node).toString());
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store", truststore().toString());
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-store-password", PASSWORD);
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.key-password", PASSWORD);
    settings.put("pekko.remote.artery.ssl.config-ssl-engine.trust-store-password", PASSWORD);
    return settings;
  }
}
