package io.switchboard.opamp;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.PackageAvailable;
import io.switchboard.opamp.proto.PackagesAvailable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The package hashes of a {@code PackagesAvailable} offer, as the specification describes them:
 * each package's {@code hash} is SHA-256 over its name, type, version, the file's content hash and
 * signature (length-prefixed); {@code all_packages_hash} is SHA-256 over every package's name and
 * hash in name order. The download URL and headers are left out on purpose: they say where to fetch
 * the content, not what it is, so moving the download endpoint does not make every agent reinstall.
 */
public final class PackageHash {

  private PackageHash() {}

  /** The hash of one package offered under {@code name} (the offer's own hash field ignored). */
  public static ByteString of(String name, PackageAvailable pkg) {
    MessageDigest digest = sha256();
    update(digest, name.getBytes(StandardCharsets.UTF_8));
    update(digest, ByteBuffer.allocate(Integer.BYTES).putInt(pkg.getTypeValue()).array());
    update(digest, pkg.getVersion().getBytes(StandardCharsets.UTF_8));
    update(digest, pkg.getFile().getContentHash().toByteArray());
    update(digest, pkg.getFile().getSignature().toByteArray());
    return ByteString.copyFrom(digest.digest());
  }

  /** The aggregate hash of the offer's packages (their own hash fields must be set). */
  public static ByteString all(PackagesAvailable offer) {
    MessageDigest digest = sha256();
    for (Map.Entry<String, PackageAvailable> pkg :
        new TreeMap<>(offer.getPackagesMap()).entrySet()) {
      update(digest, pkg.getKey().getBytes(StandardCharsets.UTF_8));
      update(digest, pkg.getValue().getHash().toByteArray());
    }
    return ByteString.copyFrom(digest.digest());
  }

  /** The offer with each package's hash and the aggregate hash filled in. */
  public static PackagesAvailable hashed(PackagesAvailable offer) {
    PackagesAvailable.Builder hashed = PackagesAvailable.newBuilder();
    offer
        .getPackagesMap()
        .forEach(
            (name, pkg) ->
                hashed.putPackages(name, pkg.toBuilder().setHash(of(name, pkg)).build()));
    PackagesAvailable withHashes = hashed.build();
    return withHashes.toBuilder().setAllPackagesHash(all(withHashes)).build();
  }

  private static void update(MessageDigest digest, byte[] part) {
    digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(part.length).array());
    digest.update(part);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
