package io.switchboard.cluster.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.opamp.proto.ServerCapabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The server advertises exactly the capabilities docs/opamp.md's support table calls supported, and
 * the table names every capability the protocol defines.
 */
class ServerCapabilitiesDocTest {

  private static final Pattern ROW =
      Pattern.compile("^\\| `([A-Za-z]+)` \\| (supported|not supported) \\|$");

  @Test
  void theAdvertisedCapabilitiesAreTheSupportTables() throws Exception {
    Set<String> supported = new TreeSet<>();
    Set<String> listed = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("..", "docs", "opamp.md"))) {
      Matcher row = ROW.matcher(line.strip());
      if (row.matches() && isCapability(row.group(1))) {
        listed.add(row.group(1));
        if (row.group(2).equals("supported")) {
          supported.add(row.group(1));
        }
      }
    }
    Set<String> defined = new TreeSet<>();
    Set<String> advertised = new TreeSet<>();
    for (ServerCapabilities capability : ServerCapabilities.values()) {
      if (capability == ServerCapabilities.UNRECOGNIZED
          || capability == ServerCapabilities.ServerCapabilities_Unspecified) {
        continue;
      }
      String name = capability.name().substring("ServerCapabilities_".length());
      defined.add(name);
      if ((AgentEntity.SERVER_CAPABILITIES & capability.getNumber()) != 0) {
        advertised.add(name);
      }
    }
    assertEquals(defined, listed, "the support table lists every server capability");
    assertTrue(supported.contains("AcceptsStatus"), "the table was read: " + supported);
    assertEquals(supported, advertised);
  }

  private static boolean isCapability(String name) {
    try {
      ServerCapabilities.valueOf("ServerCapabilities_" + name);
      return true;
    } catch (IllegalArgumentException notOne) {
      return false;
    }
  }
}
