package io.switchboard.opamp;

import com.google.protobuf.ByteString;
import io.switchboard.opamp.proto.AgentConfigFile;
import io.switchboard.opamp.proto.AgentConfigMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code config_hash} of a remote configuration: SHA-256 over its files in name order, each as
 * length-prefixed name, content type and body. The same files always give the same hash, on any
 * node and whatever order the map was built in, which is what lets the server compare it with the
 * agent's {@code last_remote_config_hash}.
 */
public final class ConfigHash {

  private ConfigHash() {}

  public static ByteString of(AgentConfigMap config) {
    MessageDigest digest = sha256();
    for (Map.Entry<String, AgentConfigFile> file :
        new TreeMap<>(config.getConfigMapMap()).entrySet()) {
      update(digest, file.getKey().getBytes(StandardCharsets.UTF_8));
      update(digest, file.getValue().getContentType().getBytes(StandardCharsets.UTF_8));
      update(digest, file.getValue().getBody().toByteArray());
    }
    return ByteString.copyFrom(digest.digest());
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
